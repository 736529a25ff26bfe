// One household, where an advisor corrects everything: the header (name, status, segment, tags,
// address, archive), conflicts between advisors, and tabs for the overview (members, accounts,
// goals, facts, custom fields), notes, open loops, meetings, documents and history. The parts
// live in ./household/; every edit answers with the fresh view, which the data layer caches.
import * as Tabs from "@radix-ui/react-tabs";
import { useMemo, useState } from "react";
import { api, type Capabilities } from "../api";
import { keys, useQuery } from "../lib/data";
import { dateTime } from "../lib/dates";
import { toAppError } from "../lib/errors";
import { openAum } from "../lib/household";
import { Button, ErrorBanner, Spinner } from "../components/ui";
import { Conflicts } from "./household/Conflicts";
import { Documents } from "./household/Documents";
import { Header } from "./household/Header";
import { History } from "./household/History";
import { Loops } from "./household/Loops";
import { Meetings } from "./household/Meetings";
import { Notes } from "./household/Notes";
import { Overview } from "./household/Overview";
import { ShareDialog } from "./household/ShareDialog";
import { HouseholdContext, useEdit, useHousehold, type HouseholdCtx } from "./household/shared";

const TABS = [
  ["overview", "Overview"],
  ["notes", "Notes"],
  ["loops", "Open loops"],
  ["meetings", "Meetings"],
  ["documents", "Documents"],
  ["history", "History"],
] as const;

export function HouseholdPage({
  id,
  me,
  initialTab,
  caps,
  onBack,
  onMeeting,
  onBrief,
}: {
  id: string;
  me: string;
  initialTab?: string;
  caps: Capabilities;
  onBack: () => void;
  onMeeting: (meetingId?: string) => void;
  onBrief: () => void;
}) {
  const household = useQuery(keys.household(id), () => api.household(id));
  const [tab, setTab] = useState(TABS.some(([t]) => t === initialTab) ? initialTab! : "overview");
  const [sharing, setSharing] = useState(false);
  // History is read only while its tab is open (and again after an edit, if it still is).
  const history = useQuery(tab === "history" ? keys.history(id) : null, () => api.householdHistory(id));
  const view = household.data;
  const ctx = useMemo<HouseholdCtx | null>(() => (view ? { id, view, me, readOnly: view.data.archived_at !== null } : null), [id, view, me]);

  if (!view || !ctx)
    return (
      <div className="p-6" data-testid="household-page" data-household-id={id}>
        {household.error ? <ErrorBanner error={toAppError(household.error)} /> : <Spinner />}
        {household.error ? (
          <div className="mt-4 flex gap-2">
            <Button onClick={household.reload}>Try again</Button>
            <Button variant="ghost" onClick={onBack}>
              Back to households
            </Button>
          </div>
        ) : null}
      </div>
    );

  const d = view.data;
  const aum = openAum(Object.values(d.accounts));
  const counts: Record<string, number> = {
    notes: Object.keys(d.notes).length,
    loops: Object.values(d.tasks).filter((t) => t.status === "open").length,
    meetings: Object.keys(d.meetings).length,
    documents: Object.keys(d.documents).length,
    history: history.data?.length ?? 0,
  };

  return (
    <HouseholdContext.Provider value={ctx}>
      <div className="flex h-full flex-col" data-testid="household-page" data-household-id={id} data-archived={ctx.readOnly || undefined}>
        <header className="border-b border-line bg-panel px-6 pb-0 pt-4">
          <Header aum={aum} onBack={onBack} onBrief={onBrief} onShare={() => setSharing(true)} onMeeting={() => onMeeting()} />
          <Tabs.Root value={tab} onValueChange={setTab}>
            <Tabs.List className="mt-3 flex gap-1" aria-label="Household sections">
              {TABS.map(([value, label]) => (
                <Tabs.Trigger
                  key={value}
                  value={value}
                  data-testid={`tab-${value}`}
                  className="border-b-2 border-transparent px-3 py-2 text-sm text-muted hover:text-ink data-[state=active]:border-accent data-[state=active]:font-semibold data-[state=active]:text-ink"
                >
                  {label}
                  {counts[value] ? <span className="ml-1.5 text-xs text-muted">{counts[value]}</span> : null}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
          </Tabs.Root>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto p-6">
          <div className="mx-auto max-w-5xl space-y-4">
            {household.error ? <ErrorBanner error={toAppError(household.error)} onDismiss={household.reload} /> : null}
            {ctx.readOnly && <ArchivedBanner />}
            <Conflicts />
            {tab === "overview" && <Overview aum={aum} />}
            {tab === "notes" && <Notes />}
            {tab === "loops" && <Loops />}
            {tab === "meetings" && <Meetings onMeeting={onMeeting} />}
            {tab === "documents" && <Documents attachable={caps.documents} />}
            {tab === "history" && <History history={history} />}
          </div>
        </div>
        <ShareDialog id={id} open={sharing} onOpenChange={setSharing} />
      </div>
    </HouseholdContext.Provider>
  );
}

function ArchivedBanner() {
  const { id, view } = useHousehold();
  const edit = useEdit();
  return (
    <div data-testid="archived-banner" role="status" className="rounded-lg border border-warn/40 bg-warn/10 px-4 py-3 text-sm">
      <div className="flex items-center gap-3">
        <div className="flex-1">
          <span className="font-semibold text-warn">Archived — read-only.</span>{" "}
          <span className="text-muted">
            {view.data.archived_at ? `Archived ${dateTime(view.data.archived_at)}. ` : ""}
            It is out of lists and Today; unarchive it to make changes.
          </span>
        </div>
        <Button data-testid="unarchive" variant="primary" busy={edit.busy} onClick={() => void edit.run(() => api.setArchived(id, false))}>
          Unarchive
        </Button>
      </div>
      {edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </div>
  );
}

// One household: overview (members, accounts with AUM total, goals, facts), notes editor,
// open loops, meetings, documents and the history timeline of who changed what.
import * as Tabs from "@radix-ui/react-tabs";
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, type Capabilities, type HouseholdView, type Note, type Sharing, type Task } from "../api";
import { dateTime, dueState, relativeTime, today } from "../lib/dates";
import { toAppError, type AppError } from "../lib/errors";
import { formatBytes } from "../lib/meeting";
import { formatMoney, formatRate, sumDecimals } from "../lib/money";
import { Badge, Button, Card, cx, Empty, ErrorBanner, Field, Input, Modal, Select, Spinner, TextArea } from "../components/ui";

const CATEGORIES: [string, string][] = [
  ["discussion", "Discussion"],
  ["decisions", "Decisions"],
  ["client_updates", "Client updates"],
  ["planning", "Planning"],
  ["compliance", "Compliance"],
];
const ROLES = ["Head", "Spouse", "Partner", "Child", "Dependent", "Other"];

export function HouseholdPage({
  id,
  initialTab,
  revision,
  caps,
  onBack,
  onChanged,
  onMeeting,
}: {
  id: string;
  initialTab?: string;
  revision: number;
  caps: Capabilities;
  onBack: () => void;
  onChanged: () => void;
  onMeeting: (meetingId?: string) => void;
}) {
  const [view, setView] = useState<HouseholdView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [tab, setTab] = useState(initialTab ?? "overview");
  const [sharing, setSharing] = useState(false);

  const load = useCallback(async () => {
    try {
      setView(await api.household(id));
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load, revision]);

  /** Runs an edit, then reloads; a failure shows as a banner and nothing is lost. */
  const edit = useCallback(
    async (work: () => Promise<unknown>) => {
      try {
        await work();
        setError(null);
        await load();
        onChanged();
        return true;
      } catch (e) {
        setError(toAppError(e));
        return false;
      }
    },
    [load, onChanged],
  );

  if (!view)
    return (
      <div className="p-6">
        {error ? <ErrorBanner error={error} /> : <Spinner />}
        {error && (
          <Button className="mt-4" onClick={onBack}>
            Back to households
          </Button>
        )}
      </div>
    );

  const d = view.data;
  const accounts = Object.entries(d.accounts);
  const aum = sumDecimals(accounts.map(([, a]) => a.aum));
  const openTasks = Object.values(d.tasks).filter((t) => t.status === "open").length;
  const counts: Record<string, number> = {
    notes: Object.keys(d.notes).length,
    loops: openTasks,
    meetings: Object.keys(d.meetings).length,
    documents: Object.keys(d.documents).length,
    history: view.history.length,
  };

  return (
    <div className="flex h-full flex-col" data-testid="household-page" data-household-id={id}>
      <header className="border-b border-line bg-panel px-6 pb-0 pt-4">
        <button onClick={onBack} className="mb-1 text-xs text-muted hover:text-ink">
          ← Households
        </button>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold" data-testid="household-name" data-selectable>
            {d.name}
          </h1>
          <Badge tone={d.status === "client" ? "ok" : "neutral"}>{d.status}</Badge>
          <SegmentEditor segment={d.segment} onSave={(s) => edit(() => api.setSegment(id, s))} />
          <div className="ml-auto flex items-center gap-6">
            <div className="text-right">
              <div className="text-[11px] uppercase tracking-wide text-muted">Assets under management</div>
              <div className="text-lg font-semibold tabular-nums" data-testid="aum-total">
                {formatMoney(aum)}
              </div>
            </div>
            <Button onClick={() => setSharing(true)} data-testid="share">
              Share
            </Button>
            <Button variant="primary" onClick={() => onMeeting()} data-testid="household-new-meeting">
              New meeting
            </Button>
          </div>
        </div>
        <Tabs.Root value={tab} onValueChange={setTab}>
          <Tabs.List className="mt-3 flex gap-1" aria-label="Household sections">
            {(
              [
                ["overview", "Overview"],
                ["notes", "Notes"],
                ["loops", "Open loops"],
                ["meetings", "Meetings"],
                ["documents", "Documents"],
                ["history", "History"],
              ] as const
            ).map(([value, label]) => (
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
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
          {tab === "overview" && <Overview view={view} id={id} edit={edit} aum={aum} />}
          {tab === "notes" && <Notes id={id} notes={d.notes} edit={edit} />}
          {tab === "loops" && <Loops id={id} tasks={d.tasks} edit={edit} />}
          {tab === "meetings" && (
            <Card title="Meetings" actions={<Button onClick={() => onMeeting()}>New meeting</Button>} testId="meetings-card">
              {Object.keys(d.meetings).length === 0 ? (
                <Empty>No meetings yet.</Empty>
              ) : (
                <ul className="divide-y divide-line">
                  {Object.entries(d.meetings)
                    .sort(([, a], [, b]) => b.started_at - a.started_at)
                    .map(([mid, m]) => (
                      <li key={mid}>
                        <button data-testid="meeting-row" onClick={() => onMeeting(mid)} className="flex w-full items-center gap-3 py-2.5 text-left hover:bg-sunken">
                          <span className="flex-1 font-medium">{m.title}</span>
                          {m.analysis ? <Badge tone="ok">analysed</Badge> : <Badge>transcript</Badge>}
                          {m.accepted.length > 0 && <Badge tone="accent">{m.accepted.length} filed</Badge>}
                          <span className="w-40 text-right text-xs text-muted">{dateTime(m.started_at)}</span>
                        </button>
                      </li>
                    ))}
                </ul>
              )}
            </Card>
          )}
          {tab === "documents" && (
            <Card title="Documents" testId="documents-card">
              {Object.keys(d.documents).length > 0 && (
                <ul className="mb-3 divide-y divide-line">
                  {Object.entries(d.documents).map(([did, doc]) => (
                    <li key={did} className="flex justify-between py-2 text-sm" data-testid="document">
                      <span>{doc.name}</span>
                      <span className="text-muted">
                        {doc.media_type} · {formatBytes(doc.size)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {caps.documents ? (
                <AttachDocument householdId={id} onAttached={edit} />
              ) : (
                <p className="rounded-md border border-dashed border-line p-3 text-sm text-muted">Attaching documents is not in this build yet; documents attached elsewhere (the CLI, a colleague) appear here.</p>
              )}
            </Card>
          )}
          {tab === "history" && <History view={view} />}
        </div>
      </div>
      <ShareDialog id={id} open={sharing} onOpenChange={setSharing} />
    </div>
  );
}

function ShareDialog({ id, open, onOpenChange }: { id: string; open: boolean; onOpenChange: (o: boolean) => void }) {
  const [sharing, setSharing] = useState<Sharing | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSharing(await api.householdSharing(id));
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    }
  }, [id]);

  useEffect(() => {
    if (open) {
      setSharing(null);
      void load();
    }
  }, [open, load]);

  const colleagues = sharing?.advisors.filter((a) => a.id !== sharing.me) ?? [];
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Share with colleagues" description="Colleagues you share with sync this household to their own laptops. Firm admins can always see it in the console." testId="share-dialog">
      <div className="space-y-3">
        <ErrorBanner error={error} />
        {!sharing && !error && <Spinner />}
        {sharing && !sharing.on_relay && <p className="text-sm text-warn">This household has not reached the relay yet. Wait for the next sync (or use Sync now), then share it.</p>}
        {sharing && sharing.on_relay && colleagues.length === 0 && <Empty>No one else in your firm yet.</Empty>}
        {sharing && sharing.on_relay && (
          <ul className="divide-y divide-line">
            {colleagues.map((a) => {
              const shared = sharing.shared_with.includes(a.id);
              return (
                <li key={a.id} className="flex items-center gap-3 py-2 text-sm">
                  <span className="flex-1">
                    {a.name} {a.is_admin && <Badge>admin</Badge>}
                  </span>
                  {a.id === sharing.owner_id ? (
                    <Badge tone="accent">owner</Badge>
                  ) : (
                    <Button
                      data-testid={`share-toggle-${a.name}`}
                      variant={shared ? "secondary" : "primary"}
                      busy={busy === a.id}
                      onClick={async () => {
                        setBusy(a.id);
                        try {
                          await api.setShare(id, a.id, !shared);
                          await load();
                        } catch (e) {
                          setError(toAppError(e));
                        } finally {
                          setBusy(null);
                        }
                      }}
                    >
                      {shared ? "Stop sharing" : "Share"}
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Modal>
  );
}

type Edit = (work: () => Promise<unknown>) => Promise<boolean>;

function SegmentEditor({ segment, onSave }: { segment: string | null; onSave: (s: string | null) => Promise<boolean> }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(segment ?? "");
  if (!editing)
    return (
      <button onClick={() => setEditing(true)} className="rounded-full border border-dashed border-line px-2 py-0.5 text-xs text-muted hover:text-ink" data-testid="segment">
        {segment ? `Segment ${segment}` : "Add segment"}
      </button>
    );
  return (
    <form
      className="flex gap-1"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await onSave(value.trim() || null)) setEditing(false);
      }}
    >
      <Input autoFocus value={value} onChange={(e) => setValue(e.target.value)} className="h-7 w-28 py-0 text-xs" onKeyDown={(e) => e.key === "Escape" && setEditing(false)} />
      <Button type="submit" className="h-7 py-0 text-xs">
        Save
      </Button>
    </form>
  );
}

function Overview({ view, id, edit, aum }: { view: HouseholdView; id: string; edit: Edit; aum: string }) {
  const d = view.data;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title="Members" testId="members-card">
        {Object.keys(d.members).length === 0 && <Empty>No members yet.</Empty>}
        <ul className="divide-y divide-line">
          {Object.entries(d.members).map(([mid, m]) => (
            <li key={mid} className="flex items-center justify-between py-2 text-sm">
              <span className="font-medium">{m.name}</span>
              <span className="text-muted">
                {m.role}
                {m.birth_year ? ` · b. ${m.birth_year}` : ""}
                {m.contact.email ? ` · ${m.contact.email}` : ""}
              </span>
            </li>
          ))}
        </ul>
        <InlineForm
          label="Add member"
          fields={[
            { name: "name", label: "Name", placeholder: "Linda Johnson" },
            { name: "role", label: "Role", options: ROLES },
            { name: "birthYear", label: "Birth year", placeholder: "1961" },
            { name: "email", label: "E-mail", placeholder: "optional" },
          ]}
          onSubmit={(v) =>
            edit(() => api.addMember(id, { name: v.name, role: v.role || "Head", birthYear: v.birthYear ? Number(v.birthYear) : null, email: v.email || null, phone: null }))
          }
        />
      </Card>
      <Card title={<>Accounts · <span className="tabular-nums">{formatMoney(aum)}</span></>} testId="accounts-card">
        {Object.keys(d.accounts).length === 0 && <Empty>No accounts yet.</Empty>}
        <table className="w-full text-sm">
          <tbody className="divide-y divide-line">
            {Object.entries(d.accounts).map(([aid, a]) => (
              <tr key={aid}>
                <td className="py-2 font-medium">{a.kind}</td>
                <td className="py-2 text-muted">{a.custodian ?? ""}</td>
                <td className="py-2 text-right text-muted">{formatRate(a.fee_rate)}</td>
                <td className="py-2 text-right tabular-nums">{formatMoney(a.aum)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <InlineForm
          label="Add account"
          fields={[
            { name: "kind", label: "Type", placeholder: "Rollover IRA" },
            { name: "custodian", label: "Custodian", placeholder: "Schwab" },
            { name: "aum", label: "AUM", placeholder: "1250000.00" },
            { name: "feeRate", label: "Fee rate", placeholder: "0.0085" },
          ]}
          onSubmit={(v) => edit(() => api.addAccount(id, { kind: v.kind, custodian: v.custodian || null, aum: v.aum || null, feeRate: v.feeRate || null }))}
        />
      </Card>
      <Card title="Goals" testId="goals-card">
        {Object.keys(d.goals).length === 0 && <Empty>No goals yet.</Empty>}
        <ul className="divide-y divide-line">
          {Object.entries(d.goals).map(([gid, g]) => (
            <li key={gid} className="flex justify-between py-2 text-sm">
              <span className="font-medium">{g.title}</span>
              <span className="text-muted">
                {g.target_amount ? formatMoney(g.target_amount) : ""}
                {g.target_date ? ` by ${g.target_date}` : ""}
              </span>
            </li>
          ))}
        </ul>
        <InlineForm
          label="Add goal"
          fields={[
            { name: "title", label: "Goal", placeholder: "Retire at 62" },
            { name: "amount", label: "Target amount", placeholder: "2000000" },
            { name: "date", label: "Target date", type: "date" },
          ]}
          onSubmit={(v) => edit(() => api.addGoal(id, { title: v.title, targetAmount: v.amount || null, targetDate: v.date || null }))}
        />
      </Card>
      <Card title="Client facts" testId="facts-card">
        {Object.keys(d.facts).length === 0 && <Empty>No facts yet. Facts accepted from meetings appear here.</Empty>}
        <ul className="divide-y divide-line">
          {Object.entries(d.facts).map(([fid, f]) => (
            <li key={fid} className="py-2 text-sm">
              <div className="flex justify-between">
                <span className="font-medium">{f.key.replaceAll("_", " ")}</span>
                <span className="text-xs text-muted">{f.source.startsWith("meeting:") ? "from a meeting" : f.source}</span>
              </div>
              <div className="text-muted" data-selectable>
                {f.value}
              </div>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

interface FieldSpec {
  name: string;
  label: string;
  placeholder?: string;
  options?: string[];
  type?: string;
}

function InlineForm({ label, fields, onSubmit }: { label: string; fields: FieldSpec[]; onSubmit: (v: Record<string, string>) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <Button variant="ghost" className="mt-2 -ml-2" onClick={() => setOpen(true)}>
        + {label}
      </Button>
    );
  return (
    <form
      className="mt-3 space-y-2 rounded-md bg-sunken p-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const ok = await onSubmit(values);
        setBusy(false);
        if (ok) {
          setValues({});
          setOpen(false);
        }
      }}
      onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
    >
      <div className="grid grid-cols-2 gap-2">
        {fields.map((f, i) => (
          <Field key={f.name} label={f.label}>
            {f.options ? (
              <Select value={values[f.name] ?? f.options[0]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
                {f.options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </Select>
            ) : (
              <Input autoFocus={i === 0} type={f.type ?? "text"} placeholder={f.placeholder} value={values[f.name] ?? ""} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
            )}
          </Field>
        ))}
      </div>
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={busy}>
          Add
        </Button>
      </div>
    </form>
  );
}

function Notes({ id, notes, edit }: { id: string; notes: Record<string, Note>; edit: Edit }) {
  const [category, setCategory] = useState("discussion");
  const [text, setText] = useState("");
  const [filter, setFilter] = useState("all");
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const sorted = useMemo(
    () =>
      Object.entries(notes)
        .filter(([, n]) => filter === "all" || n.category === filter)
        .sort(([, a], [, b]) => b.created_at - a.created_at),
    [notes, filter],
  );

  const add = async () => {
    setBusy(true);
    if (await edit(() => api.addNote(id, category, text))) setText("");
    setBusy(false);
  };

  return (
    <div className="space-y-4">
      <Card title="New note" testId="note-editor">
        <div className="space-y-2">
          <div className="flex flex-wrap gap-1" role="radiogroup" aria-label="Category">
            {CATEGORIES.map(([value, label]) => (
              <button
                key={value}
                role="radio"
                aria-checked={category === value}
                data-testid={`note-category-${value}`}
                onClick={() => setCategory(value)}
                className={cx("rounded-full border px-2.5 py-0.5 text-xs", category === value ? "border-accent bg-accent/10 text-accent" : "border-line text-muted hover:text-ink")}
              >
                {label}
              </button>
            ))}
          </div>
          <TextArea
            data-testid="note-text"
            rows={4}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="What was discussed, decided or planned…  (Ctrl+Enter saves)"
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && text.trim()) {
                e.preventDefault();
                void add();
              }
            }}
          />
          <div className="flex justify-end">
            <Button data-testid="save-note" variant="primary" busy={busy} disabled={!text.trim()} onClick={() => void add()}>
              Save note
            </Button>
          </div>
        </div>
      </Card>
      <div className="flex items-center gap-2">
        <span className="text-xs text-muted">Show</span>
        <Select value={filter} onChange={(e) => setFilter(e.target.value)} className="w-44" aria-label="Filter notes by category">
          <option value="all">All categories</option>
          {CATEGORIES.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </Select>
      </div>
      {sorted.length === 0 && <Empty>No notes yet.</Empty>}
      <ul className="space-y-2" data-testid="notes-list">
        {sorted.map(([nid, n]) => (
          <li key={nid} className="rounded-lg border border-line bg-panel p-3" data-testid="note">
            <div className="mb-1 flex items-center gap-2 text-xs text-muted">
              <Badge tone={n.category === "compliance" ? "warn" : "neutral"}>{CATEGORIES.find(([v]) => v === n.category)?.[1] ?? n.category}</Badge>
              <span>{n.author}</span>
              <span>· {relativeTime(n.created_at)}</span>
              {n.source_meeting && <span>· from a meeting</span>}
              {editing !== nid && (
                <button
                  className="ml-auto text-muted hover:text-ink"
                  onClick={() => {
                    setEditing(nid);
                    setDraft(n.body);
                  }}
                >
                  Edit
                </button>
              )}
            </div>
            {editing === nid ? (
              <div className="space-y-2">
                <TextArea rows={4} autoFocus value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => e.key === "Escape" && setEditing(null)} />
                <div className="flex justify-end gap-2">
                  <Button variant="ghost" onClick={() => setEditing(null)}>
                    Cancel
                  </Button>
                  <Button
                    variant="primary"
                    onClick={async () => {
                      if (await edit(() => api.editNote(id, nid, draft))) setEditing(null);
                    }}
                  >
                    Save
                  </Button>
                </div>
              </div>
            ) : (
              <p className="whitespace-pre-wrap text-sm leading-relaxed" data-selectable data-testid="note-body">
                {n.body}
              </p>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Loops({ id, tasks, edit }: { id: string; tasks: Record<string, Task>; edit: Edit }) {
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [showDone, setShowDone] = useState(false);
  const day = today();
  const list = Object.entries(tasks)
    .filter(([, t]) => showDone || t.status === "open")
    .sort(([, a], [, b]) => (a.status === b.status ? (a.due ?? "9999").localeCompare(b.due ?? "9999") : a.status === "open" ? -1 : 1));

  return (
    <Card title="Open loops" actions={<label className="flex items-center gap-1.5 text-xs text-muted"><input type="checkbox" checked={showDone} onChange={(e) => setShowDone(e.target.checked)} /> Show closed</label>} testId="loops-card">
      <form
        className="mb-3 flex gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await edit(() => api.addTask(id, title, due || null))) {
            setTitle("");
            setDue("");
          }
        }}
      >
        <Input data-testid="task-title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Send 529 forms" />
        <Input data-testid="task-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} className="w-40" aria-label="Due date" />
        <Button data-testid="add-task" type="submit" variant="primary" disabled={!title.trim()}>
          Add
        </Button>
      </form>
      {list.length === 0 && <Empty>Nothing open. Nice.</Empty>}
      <ul className="divide-y divide-line">
        {list.map(([tid, t]) => {
          const state = dueState(t.due, day);
          return (
            <li key={tid} className="flex items-center gap-3 py-2 text-sm" data-testid="task">
              <input
                type="checkbox"
                aria-label={`Done: ${t.title}`}
                checked={t.status === "done"}
                onChange={() => void edit(() => api.setTaskStatus(id, tid, t.status === "done" ? "open" : "done"))}
              />
              <span className={cx("flex-1", t.status !== "open" && "text-muted line-through")}>{t.title}</span>
              {t.source_meeting && <Badge>meeting</Badge>}
              <span className="text-xs text-muted">{t.owner}</span>
              {t.due && t.status === "open" && (
                <Badge tone={state === "overdue" ? "danger" : state === "today" || state === "soon" ? "warn" : "neutral"}>
                  {state === "overdue" ? "overdue · " : state === "today" ? "today · " : ""}
                  {t.due}
                </Badge>
              )}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function History({ view }: { view: HouseholdView }) {
  const entries = [...view.history].reverse();
  return (
    <Card title="History" testId="history-card">
      <ol className="relative space-y-3 border-l border-line pl-5">
        {entries.map((h) => (
          <li key={h.hash} className="relative" data-testid="history-entry">
            <span className="absolute -left-[25px] top-1.5 h-2 w-2 rounded-full bg-accent" />
            <div className="text-sm">{h.summary || "(no description)"}</div>
            <div className="text-xs text-muted">
              {h.advisor ?? "Unknown advisor"}
              {h.device ? ` on ${h.device}` : ""} · {dateTime(h.time * 1000)}
            </div>
          </li>
        ))}
      </ol>
    </Card>
  );
}

/** "Attach file": the profile checks size and type, extracts the text for search and stores
 * the file encrypted; a refused file shows the profile's reason. */
function AttachDocument({ householdId, onAttached }: { householdId: string; onAttached: (work: () => Promise<unknown>) => Promise<boolean> }) {
  const [busy, setBusy] = useState(false);
  return (
    <div className="flex items-center gap-3">
      <label className={cx("inline-flex cursor-pointer items-center gap-2 rounded-md border border-line px-3 py-1.5 text-sm font-medium hover:bg-sunken", busy && "opacity-50")}>
        {busy && <Spinner />}
        Attach file…
        <input
          type="file"
          className="sr-only"
          data-testid="document-file"
          disabled={busy}
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (!file) return;
            setBusy(true);
            await onAttached(() => api.attachDocument(householdId, file));
            setBusy(false);
          }}
        />
      </label>
      <span className="text-xs text-muted">PDF, Word (.docx), text, CSV or images; stored encrypted, searchable with Ctrl-K.</span>
    </div>
  );
}

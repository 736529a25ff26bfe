// Quick capture: a note, an open loop or a recording for a household, from anywhere (the
// palette's "Note to…", "Loop for…", "Record…", the tray, or the global shortcut). What was
// typed survives closing the dialog until it is saved.
import { useEffect, useMemo, useState } from "react";
import { api, type HouseholdSummary } from "../api";
import { applyEdit } from "../lib/data";
import { toAppError, type AppError } from "../lib/errors";
import { filterHouseholds } from "../lib/households";
import { Button, cx, ErrorBanner, Field, Input, Modal, Select, TextArea } from "./ui";

export type CaptureKind = "note" | "loop" | "record";

const KIND_LABEL: Record<CaptureKind, string> = { note: "Note to…", loop: "Loop for…", record: "Record…" };

/** The draft, kept across openings until saved. */
const draft = { householdId: "", category: "discussion", text: "", title: "", due: "" };

export function QuickCapture({
  open,
  onOpenChange,
  kind: initialKind,
  households,
  onRecord,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  kind: CaptureKind;
  households: HouseholdSummary[];
  onRecord: (householdId: string) => void;
}) {
  const [kind, setKind] = useState<CaptureKind>(initialKind);
  const [query, setQuery] = useState("");
  const [householdId, setHouseholdId] = useState(draft.householdId);
  const [category, setCategory] = useState(draft.category);
  const [text, setText] = useState(draft.text);
  const [title, setTitle] = useState(draft.title);
  const [due, setDue] = useState(draft.due);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (open) {
      setKind(initialKind);
      setSaved(null);
      setError(null);
    }
  }, [open, initialKind]);
  // Keep the draft as it is typed.
  useEffect(() => {
    Object.assign(draft, { householdId, category, text, title, due });
  }, [householdId, category, text, title, due]);

  const matches = useMemo(() => filterHouseholds(households, query).slice(0, 8), [households, query]);
  const household = households.find((h) => h.id === householdId);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!household) return;
    if (kind === "record") {
      onOpenChange(false);
      onRecord(household.id);
      return;
    }
    setBusy(true);
    try {
      if (kind === "note") {
        await applyEdit(household.id, api.addNote(household.id, category, text));
        setText("");
        setSaved(`Note saved to ${household.name}.`);
      } else {
        await applyEdit(household.id, api.addTask(household.id, title, due || null));
        setTitle("");
        setDue("");
        setSaved(`Loop opened for ${household.name}.`);
      }
      setError(null);
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Quick capture" description="A note, an open loop or a recording for a household." testId="quick-capture">
      <form onSubmit={save} className="space-y-3">
        <div className="flex rounded-md border border-line p-0.5" role="radiogroup" aria-label="What to capture">
          {(Object.keys(KIND_LABEL) as CaptureKind[]).map((k) => (
            <button
              type="button"
              key={k}
              role="radio"
              aria-checked={kind === k}
              data-testid={`capture-${k}`}
              onClick={() => setKind(k)}
              className={cx("flex-1 rounded px-2.5 py-1 text-xs", kind === k ? "bg-sunken font-semibold" : "text-muted hover:text-ink")}
            >
              {KIND_LABEL[k]}
            </button>
          ))}
        </div>
        <Field label="Household">
          {household ? (
            <div className="flex items-center justify-between rounded-md border border-line px-2.5 py-1.5 text-sm">
              <span data-testid="capture-household">{household.name}</span>
              <button type="button" className="text-xs text-accent" onClick={() => setHouseholdId("")}>
                Change
              </button>
            </div>
          ) : (
            <>
              <Input data-testid="capture-search" autoFocus value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Type a household name…" />
              <ul className="mt-1 max-h-40 overflow-y-auto rounded-md border border-line">
                {matches.map((h) => (
                  <li key={h.id}>
                    <button type="button" data-testid="capture-pick" className="w-full px-2.5 py-1.5 text-left text-sm hover:bg-sunken" onClick={() => setHouseholdId(h.id)}>
                      {h.name}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Field>
        {kind === "note" && (
          <>
            <Field label="Category">
              <Select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="capture-category">
                <option value="discussion">Discussion</option>
                <option value="decisions">Decisions</option>
                <option value="client_updates">Client updates</option>
                <option value="planning">Planning</option>
                <option value="compliance">Compliance</option>
              </Select>
            </Field>
            <Field label="Note">
              <TextArea rows={4} data-testid="capture-text" value={text} onChange={(e) => setText(e.target.value)} />
            </Field>
          </>
        )}
        {kind === "loop" && (
          <div className="grid grid-cols-[1fr_auto] gap-2">
            <Field label="What has to be done">
              <Input data-testid="capture-title" value={title} onChange={(e) => setTitle(e.target.value)} />
            </Field>
            <Field label="Due">
              <Input type="date" data-testid="capture-due" value={due} onChange={(e) => setDue(e.target.value)} />
            </Field>
          </div>
        )}
        {kind === "record" && <p className="text-sm text-muted">Opens the meeting screen for this household, where consent is recorded before anything is captured.</p>}
        <ErrorBanner error={error} />
        {saved && (
          <p className="text-sm text-ok" data-testid="capture-saved">
            {saved}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button type="button" onClick={() => onOpenChange(false)}>
            Close
          </Button>
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            data-testid="capture-save"
            disabled={!household || (kind === "note" && !text.trim()) || (kind === "loop" && !title.trim())}
          >
            {kind === "record" ? "Go to recording" : "Save"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

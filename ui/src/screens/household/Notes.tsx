// Notes: a new note by category (its draft survives switching tabs), the notes newest first,
// each editable and deletable.
import { useMemo, useState } from "react";
import { api, type Note } from "../../api";
import { relativeTime } from "../../lib/dates";
import { Badge, Button, Card, cx, Empty, ErrorBanner, Select, TextArea } from "../../components/ui";
import { ConfirmButton, RowButton, useEdit, useHousehold } from "./shared";

const CATEGORIES: [string, string][] = [
  ["discussion", "Discussion"],
  ["decisions", "Decisions"],
  ["client_updates", "Client updates"],
  ["planning", "Planning"],
  ["compliance", "Compliance"],
];

/** Unsaved new notes, by household: kept while the advisor looks at another tab or household. */
const drafts = new Map<string, { category: string; text: string }>();

export function Notes() {
  const { view } = useHousehold();
  const [filter, setFilter] = useState("all");
  const notes = view.data.notes;
  const sorted = useMemo(
    () =>
      Object.entries(notes)
        .filter(([, n]) => filter === "all" || n.category === filter)
        .sort(([, a], [, b]) => b.created_at - a.created_at),
    [notes, filter],
  );
  return (
    <div className="space-y-4">
      <NoteEditor />
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
          <NoteItem key={nid} noteId={nid} note={n} />
        ))}
      </ul>
    </div>
  );
}

function NoteEditor() {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  const [draft, setDraftState] = useState(() => drafts.get(id) ?? { category: "discussion", text: "" });
  const setDraft = (next: { category: string; text: string }) => {
    setDraftState(next);
    if (next.text) drafts.set(id, next);
    else drafts.delete(id);
  };
  const save = async () => {
    if (!draft.text.trim()) return;
    if (await edit.run(() => api.addNote(id, draft.category, draft.text))) setDraft({ category: draft.category, text: "" });
  };
  return (
    <Card title="New note" testId="note-editor">
      <div className="space-y-2">
        <div className="flex flex-wrap gap-1" role="radiogroup" aria-label="Category">
          {CATEGORIES.map(([value, label]) => (
            <button
              key={value}
              role="radio"
              aria-checked={draft.category === value}
              data-testid={`note-category-${value}`}
              disabled={readOnly}
              onClick={() => setDraft({ ...draft, category: value })}
              className={cx("rounded-full border px-2.5 py-0.5 text-xs", draft.category === value ? "border-accent bg-accent/10 text-accent" : "border-line text-muted hover:text-ink")}
            >
              {label}
            </button>
          ))}
        </div>
        <TextArea
          data-testid="note-text"
          rows={4}
          value={draft.text}
          disabled={readOnly}
          onChange={(e) => setDraft({ ...draft, text: e.target.value })}
          placeholder={readOnly ? "Archived: unarchive the household to add notes." : "What was discussed, decided or planned…  (Ctrl+Enter saves)"}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void save();
            }
          }}
        />
        <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        <div className="flex items-center justify-end gap-2">
          {draft.text && !edit.busy && <span className="text-xs text-muted">Draft kept until you save it</span>}
          <Button data-testid="save-note" variant="primary" busy={edit.busy} disabled={readOnly || !draft.text.trim()} onClick={() => void save()}>
            Save note
          </Button>
        </div>
      </div>
    </Card>
  );
}

function NoteItem({ noteId, note: n }: { noteId: string; note: Note }) {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  return (
    <li className="rounded-lg border border-line bg-panel p-3" data-testid="note" data-note-id={noteId}>
      <div className="mb-1 flex items-center gap-2 text-xs text-muted">
        <Badge tone={n.category === "compliance" ? "warn" : "neutral"}>{CATEGORIES.find(([v]) => v === n.category)?.[1] ?? n.category}</Badge>
        <span>{n.author}</span>
        <span>· {relativeTime(n.created_at)}</span>
        {n.source_meeting && <span>· from a meeting</span>}
        {!editing && (
          <span className="ml-auto flex gap-0.5">
            <RowButton
              data-testid="note-edit"
              disabled={readOnly}
              onClick={() => {
                edit.clear();
                setText(n.body);
                setEditing(true);
              }}
            >
              Edit
            </RowButton>
            <ConfirmButton label="Delete" question="Delete this note?" testId="note-delete" disabled={readOnly} busy={edit.busy} onConfirm={() => edit.run(() => api.removeNote(id, noteId))} />
          </span>
        )}
      </div>
      {editing ? (
        <div className="space-y-2">
          <TextArea data-testid="note-edit-text" rows={4} autoFocus value={text} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => e.key === "Escape" && setEditing(false)} />
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
            <Button
              variant="primary"
              data-testid="note-edit-save"
              busy={edit.busy}
              disabled={!text.trim()}
              onClick={async () => {
                if (text === n.body || (await edit.run(() => api.editNote(id, noteId, text)))) setEditing(false);
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
      {edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </li>
  );
}

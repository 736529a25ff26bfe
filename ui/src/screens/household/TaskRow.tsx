// One loop. Open: done, edit (title, due date, owner), snooze (a day, a week, a picked day) and
// cancel. Closed: reopen.
import { useState } from "react";
import { api, type Task, type TaskPatch } from "../../api";
import { dateTime, dueState, formatDay, today } from "../../lib/dates";
import { checkDay, snoozeUntil, type SnoozeChoice } from "../../lib/household";
import { Badge, Button, cx, ErrorBanner, Field, Input, Select } from "../../components/ui";
import { RowButton, useEdit, useHousehold } from "./shared";

function DueBadge({ due }: { due: string | null }) {
  if (!due) return null;
  const state = dueState(due, today());
  return (
    <span data-testid="task-due-state" data-state={state}>
      <Badge tone={state === "overdue" ? "danger" : state === "today" || state === "soon" ? "warn" : "neutral"}>
        {state === "overdue" ? "overdue · " : state === "today" ? "today · " : ""}
        {formatDay(due)}
      </Badge>
    </span>
  );
}

export function OpenTaskRow({ taskId, task: t, owners }: { taskId: string; task: Task; owners: string[] }) {
  const { id, me, readOnly } = useHousehold();
  const edit = useEdit();
  const [panel, setPanel] = useState<"none" | "edit" | "snooze">("none");
  const day = today();
  const snoozed = t.snoozed_until && t.snoozed_until > day ? t.snoozed_until : null;
  const toggle = (p: "edit" | "snooze") => {
    edit.clear();
    setPanel(panel === p ? "none" : p);
  };
  return (
    <li className="py-2 text-sm" data-testid="task" data-task-id={taskId} data-status="open">
      <div className="flex items-center gap-2">
        <span className={cx("min-w-0 flex-1", dueState(t.due, day) === "overdue" && "text-danger")} data-selectable>
          {t.title}
        </span>
        {t.source_meeting && <Badge>meeting</Badge>}
        {snoozed && <Badge tone="accent">snoozed until {formatDay(snoozed)}</Badge>}
        <span className={cx("text-xs", t.owner === me ? "text-muted" : "text-ink")}>{t.owner === me ? "me" : t.owner}</span>
        <DueBadge due={t.due} />
        <span className="flex gap-0.5">
          <RowButton data-testid="task-done" disabled={readOnly || edit.busy} onClick={() => void edit.run(() => api.setTaskStatus(id, taskId, "done"))}>
            Done
          </RowButton>
          <RowButton data-testid="task-edit" disabled={readOnly} aria-expanded={panel === "edit"} onClick={() => toggle("edit")}>
            Edit
          </RowButton>
          <RowButton data-testid="task-snooze" disabled={readOnly} aria-expanded={panel === "snooze"} onClick={() => toggle("snooze")}>
            Snooze
          </RowButton>
          <RowButton data-testid="task-cancel" disabled={readOnly || edit.busy} onClick={() => void edit.run(() => api.setTaskStatus(id, taskId, "cancelled"))}>
            Cancel
          </RowButton>
        </span>
      </div>
      {panel === "edit" && <TaskEditor task={t} owners={owners} edit={edit} onSave={(patch) => edit.run(() => api.updateTask(id, taskId, patch))} onDone={() => setPanel("none")} />}
      {panel === "snooze" && (
        <Snoozer
          snoozed={snoozed}
          onSnooze={async (choice) => {
            const until = choice === null ? null : edit.checked(snoozeUntil(choice, day));
            if (until === undefined) return;
            if (await edit.run(() => api.updateTask(id, taskId, { snoozed_until: until }))) setPanel("none");
          }}
          onClose={() => setPanel("none")}
        />
      )}
      {edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </li>
  );
}

function TaskEditor({ task: t, owners, edit, onSave, onDone }: { task: Task; owners: string[]; edit: ReturnType<typeof useEdit>; onSave: (p: TaskPatch) => Promise<boolean>; onDone: () => void }) {
  const [title, setTitle] = useState(t.title);
  const [due, setDue] = useState(t.due ?? "");
  const [owner, setOwner] = useState(t.owner);
  return (
    <form
      className="mt-2 flex flex-wrap items-end gap-2 rounded-md bg-sunken p-3"
      onSubmit={async (e) => {
        e.preventDefault();
        const patch: TaskPatch = {};
        if (title.trim() !== t.title) {
          if (!title.trim()) return edit.refuse("A loop needs a title.");
          patch.title = title.trim();
        }
        const day = edit.checked(checkDay(due, "Due date"));
        if (day === undefined) return;
        if (day !== t.due) patch.due = day;
        if (owner !== t.owner) patch.owner = owner;
        if (Object.keys(patch).length === 0 || (await onSave(patch))) onDone();
      }}
      onKeyDown={(e) => e.key === "Escape" && onDone()}
    >
      <div className="min-w-48 flex-1">
        <Field label="Title">
          <Input autoFocus data-testid="task-edit-title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
      </div>
      <Field label="Due date">
        <Input data-testid="task-edit-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} className="w-40" />
      </Field>
      <Field label="Owner">
        <Select data-testid="task-edit-owner" value={owner} onChange={(e) => setOwner(e.target.value)} className="w-44">
          {owners.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" variant="primary" busy={edit.busy} data-testid="task-edit-save">
        Save
      </Button>
      <Button type="button" variant="ghost" onClick={onDone}>
        Close
      </Button>
    </form>
  );
}

function Snoozer({ snoozed, onSnooze, onClose }: { snoozed: string | null; onSnooze: (c: SnoozeChoice | null) => void; onClose: () => void }) {
  const [until, setUntil] = useState("");
  return (
    <form
      className="mt-2 flex flex-wrap items-center gap-2 rounded-md bg-sunken p-3 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        onSnooze({ until });
      }}
      onKeyDown={(e) => e.key === "Escape" && onClose()}
    >
      <span className="text-muted">Hide from Today until</span>
      <Button type="button" className="px-2 py-0.5 text-xs" data-testid="snooze-day" onClick={() => onSnooze("day")}>
        Tomorrow
      </Button>
      <Button type="button" className="px-2 py-0.5 text-xs" data-testid="snooze-week" onClick={() => onSnooze("week")}>
        In a week
      </Button>
      <span className="text-muted">or</span>
      <Input data-testid="snooze-date" type="date" min={today()} value={until} onChange={(e) => setUntil(e.target.value)} className="w-40 py-0.5 text-xs" aria-label="Snooze until" />
      <Button type="submit" className="px-2 py-0.5 text-xs" data-testid="snooze-save" disabled={!until}>
        Snooze
      </Button>
      {snoozed && (
        <Button type="button" variant="ghost" className="px-2 py-0.5 text-xs" data-testid="snooze-clear" onClick={() => onSnooze(null)}>
          Wake it now
        </Button>
      )}
    </form>
  );
}

export function ClosedTaskRow({ taskId, task: t }: { taskId: string; task: Task }) {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  return (
    <li className="py-2 text-sm" data-testid="task" data-task-id={taskId} data-status={t.status}>
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 text-muted line-through">{t.title}</span>
        <Badge tone={t.status === "done" ? "ok" : "neutral"}>{t.status}</Badge>
        <span className="text-xs text-muted">
          {t.owner}
          {t.closed_at ? ` · ${dateTime(t.closed_at)}` : ""}
        </span>
        <RowButton data-testid="task-reopen" disabled={readOnly || edit.busy} onClick={() => void edit.run(() => api.setTaskStatus(id, taskId, "open"))}>
          Reopen
        </RowButton>
      </div>
      {edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </li>
  );
}

// Open loops: add one (title, due date, owner), the open ones by due date with done, edit,
// snooze and cancel, and the closed ones below with reopen.
import { useState } from "react";
import { api } from "../../api";
import { checkDay, sortTasks } from "../../lib/household";
import { Button, Card, Empty, ErrorBanner, Input, Select } from "../../components/ui";
import { useEdit, useHousehold } from "./shared";
import { ClosedTaskRow, OpenTaskRow } from "./TaskRow";

/** Who can own a loop: the household's advisors, and whoever owns it now. */
export function ownerChoices(advisors: string[], ...also: (string | null | undefined)[]): string[] {
  return [...new Set([...advisors, ...also.filter((a): a is string => !!a)])].sort((a, b) => a.localeCompare(b));
}

export function Loops() {
  const { id, view, me, readOnly } = useHousehold();
  const edit = useEdit();
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [owner, setOwner] = useState(me);
  const [showClosed, setShowClosed] = useState(true);
  const { open, closed } = sortTasks(Object.entries(view.data.tasks));
  const owners = ownerChoices(view.advisors, me);

  return (
    <div className="space-y-4">
      <Card title="Open loops" testId="loops-card">
        <form
          className="mb-3 space-y-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const t = title.trim();
            if (!t) return;
            const day = edit.checked(checkDay(due, "Due date"));
            if (day === undefined) return;
            if (await edit.run(() => api.addTask(id, t, day, owner === me ? null : owner))) {
              setTitle("");
              setDue("");
            }
          }}
        >
          <div className="flex gap-2">
            <Input data-testid="task-title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Send 529 forms" disabled={readOnly} aria-label="New loop" />
            <Input data-testid="task-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} className="w-40" aria-label="Due date" disabled={readOnly} />
            {owners.length > 1 && (
              <Select data-testid="task-owner" value={owner} onChange={(e) => setOwner(e.target.value)} className="w-52" aria-label="Owner" disabled={readOnly}>
                {owners.map((o) => (
                  <option key={o} value={o}>
                    {o === me ? `${o} (me)` : o}
                  </option>
                ))}
              </Select>
            )}
            <Button data-testid="add-task" type="submit" variant="primary" busy={edit.busy} disabled={readOnly || !title.trim()}>
              Add
            </Button>
          </div>
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </form>
        {open.length === 0 && <Empty>Nothing open. Nice.</Empty>}
        <ul className="divide-y divide-line">
          {open.map(([tid, t]) => (
            <OpenTaskRow key={tid} taskId={tid} task={t} owners={ownerChoices(view.advisors, me, t.owner)} />
          ))}
        </ul>
      </Card>
      {closed.length > 0 && (
        <Card
          title={`Done and cancelled · ${closed.length}`}
          testId="closed-loops-card"
          actions={
            <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => setShowClosed(!showClosed)} aria-expanded={showClosed}>
              {showClosed ? "Hide" : "Show"}
            </Button>
          }
        >
          {showClosed ? (
            <ul className="divide-y divide-line">
              {closed.map(([tid, t]) => (
                <ClosedTaskRow key={tid} taskId={tid} task={t} />
              ))}
            </ul>
          ) : (
            <p className="text-xs text-muted">Hidden.</p>
          )}
        </Card>
      )}
    </div>
  );
}

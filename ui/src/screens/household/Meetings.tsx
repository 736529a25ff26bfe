// Meetings: scheduled ones first (soonest first), then held ones (newest first); each opens the
// meeting screen. "Schedule" puts one on the calendar at a local date and time.
import { useState } from "react";
import { api } from "../../api";
import { dateTime, today } from "../../lib/dates";
import { localDateTimeMs } from "../../lib/household";
import { Badge, Button, Card, Empty, ErrorBanner, Field, Input } from "../../components/ui";
import { useEdit, useHousehold } from "./shared";

export function Meetings({ onMeeting }: { onMeeting: (meetingId?: string) => void }) {
  const { view, readOnly } = useHousehold();
  const [scheduling, setScheduling] = useState(false);
  const all = Object.entries(view.data.meetings);
  const scheduled = all.filter(([, m]) => m.scheduled).sort(([, a], [, b]) => a.started_at - b.started_at);
  const held = all.filter(([, m]) => !m.scheduled).sort(([, a], [, b]) => b.started_at - a.started_at);
  return (
    <Card
      title="Meetings"
      testId="meetings-card"
      actions={
        <>
          <Button data-testid="schedule-meeting" disabled={readOnly} onClick={() => setScheduling(!scheduling)} aria-expanded={scheduling}>
            Schedule
          </Button>
          <Button onClick={() => onMeeting()} disabled={readOnly}>
            New meeting
          </Button>
        </>
      }
    >
      {scheduling && <ScheduleForm onDone={() => setScheduling(false)} />}
      {all.length === 0 && <Empty>No meetings yet.</Empty>}
      <ul className="divide-y divide-line">
        {[...scheduled, ...held].map(([mid, m]) => (
          <li key={mid}>
            <button data-testid="meeting-row" data-scheduled={m.scheduled || undefined} onClick={() => onMeeting(mid)} className="flex w-full items-center gap-3 py-2.5 text-left hover:bg-sunken">
              <span className="flex-1 font-medium">{m.title}</span>
              {m.scheduled ? (
                <Badge tone="accent">Scheduled</Badge>
              ) : (
                <>
                  {m.analysis ? <Badge tone="ok">analysed</Badge> : <Badge>transcript</Badge>}
                  {m.accepted.length > 0 && <Badge tone="accent">{m.accepted.length} filed</Badge>}
                </>
              )}
              <span className="w-44 text-right text-xs text-muted">{dateTime(m.started_at)}</span>
            </button>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function ScheduleForm({ onDone }: { onDone: () => void }) {
  const { id } = useHousehold();
  const edit = useEdit();
  const [title, setTitle] = useState("Annual review");
  const [date, setDate] = useState(today());
  const [time, setTime] = useState("10:00");
  return (
    <form
      className="mb-3 space-y-2 rounded-md bg-sunken p-3"
      data-testid="schedule-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const t = title.trim();
        if (!t) return edit.refuse("A meeting needs a title.");
        const startsAt = localDateTimeMs(date, time);
        if (startsAt === null) return edit.refuse("Pick the meeting's date and time.");
        if (await edit.run(() => api.scheduleMeeting(id, t, startsAt))) onDone();
      }}
      onKeyDown={(e) => e.key === "Escape" && onDone()}
    >
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <Field label="Title">
            <Input autoFocus data-testid="schedule-title" value={title} onChange={(e) => setTitle(e.target.value)} />
          </Field>
        </div>
        <Field label="Date">
          <Input data-testid="schedule-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} className="w-40" />
        </Field>
        <Field label="Time">
          <Input data-testid="schedule-time" type="time" value={time} onChange={(e) => setTime(e.target.value)} className="w-28" />
        </Field>
        <Button type="submit" variant="primary" busy={edit.busy} data-testid="schedule-save">
          Schedule
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
      <ErrorBanner error={edit.error} onDismiss={edit.clear} />
    </form>
  );
}

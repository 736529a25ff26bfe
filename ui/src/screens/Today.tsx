// Today, the home screen: open loops across every household (overdue, today, this week,
// later; mine or everyone's) with done, snooze and reschedule in place; the dates that matter;
// upcoming reviews and meetings with their brief; what colleagues changed since you looked.
import { useState } from "react";
import { api, type TodayLoop } from "../api";
import { Badge, Button, Card, cx, Empty, ErrorBanner, Input, Spinner } from "../components/ui";
import { applyEdit, cache, keys, useQuery } from "../lib/data";
import { addDays, dateTime, formatDay, relativeTime } from "../lib/dates";
import { toAppError, type AppError } from "../lib/errors";
import { lateness, visibleAlerts, visibleGroups, type Whose } from "../lib/today";

export function TodayScreen({
  onOpenHousehold,
  onBrief,
  empty,
}: {
  onOpenHousehold: (id: string, tab?: string) => void;
  onBrief: (id: string) => void;
  /** Shown instead of the day when the profile has no households yet. */
  empty?: React.ReactNode;
}) {
  const today = useQuery(keys.today, () => api.today());
  const [whose, setWhose] = useState<Whose>("mine");
  const [window, setWindow] = useState<30 | 90>(30);
  const [error, setError] = useState<AppError | null>(null);

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const t = today.data;
  if (!t)
    return (
      <div className="p-6" data-testid="today-screen">
        {today.error ? <ErrorBanner error={toAppError(today.error)} /> : <Spinner />}
      </div>
    );
  const groups = visibleGroups(t, whose);
  const alerts = visibleAlerts(t, window);

  return (
    <div className="flex h-full flex-col" data-testid="today-screen">
      <header className="flex flex-wrap items-center gap-3 border-b border-line bg-panel px-6 py-4">
        <h1 className="text-lg font-semibold">Today</h1>
        <span className="text-sm text-muted" data-testid="today-date">
          {formatDay(t.date)}
        </span>
        <div className="ml-auto flex rounded-md border border-line p-0.5" role="radiogroup" aria-label="Whose open loops">
          {(["mine", "everyone"] as const).map((w) => (
            <button
              key={w}
              role="radio"
              aria-checked={whose === w}
              data-testid={`today-filter-${w}`}
              onClick={() => setWhose(w)}
              className={cx("rounded px-2.5 py-1 text-xs", whose === w ? "bg-sunken font-semibold" : "text-muted hover:text-ink")}
            >
              {w === "mine" ? "Mine" : "Everyone's"}
            </button>
          ))}
        </div>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto p-6">
        <div className="mx-auto grid max-w-6xl gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          <div className="space-y-4">
            <ErrorBanner error={error} onDismiss={() => setError(null)} />
            {empty}
            <Card title="Open loops" testId="today-loops">
              {groups.length === 0 ? (
                <Empty>{whose === "mine" ? "Nothing open for you. Switch to everyone's to see your colleagues' loops." : "No open loops."}</Empty>
              ) : (
                <div className="space-y-4">
                  {groups.map((g) => (
                    <section key={g.due} data-testid="today-group" data-due={g.due}>
                      <h3 className={cx("mb-1 text-xs font-semibold uppercase tracking-wide", g.due === "overdue" ? "text-danger" : "text-muted")}>
                        {g.label} <span className="font-normal">{g.loops.length}</span>
                      </h3>
                      <ul className="divide-y divide-line">
                        {g.loops.map((l) => (
                          <LoopRow key={`${l.household_id}:${l.task_id}`} loop={l} onOpenHousehold={onOpenHousehold} act={act} />
                        ))}
                      </ul>
                      {g.due === "later" && t.later_more > 0 && <p className="pt-2 text-xs text-muted">…and {t.later_more} more later.</p>}
                    </section>
                  ))}
                </div>
              )}
              {t.snoozed > 0 && (
                <p className="pt-3 text-xs text-muted" data-testid="today-snoozed">
                  {t.snoozed} snoozed
                </p>
              )}
            </Card>
          </div>
          <div className="space-y-4">
            <Card title="Upcoming reviews and meetings" testId="today-upcoming-card">
              {t.upcoming.length === 0 ? (
                <Empty>Nothing on the calendar in the next 30 days.</Empty>
              ) : (
                <ul className="divide-y divide-line">
                  {t.upcoming.map((u) => (
                    <li key={`${u.household_id}:${u.meeting_id ?? u.kind}`} className="flex items-center gap-3 py-2 text-sm" data-testid="today-upcoming">
                      <div className="min-w-0 flex-1">
                        <button className="block truncate text-left font-medium hover:underline" onClick={() => onOpenHousehold(u.household_id)}>
                          {u.household}
                        </button>
                        <span className="block truncate text-xs text-muted">
                          {u.title} · {u.starts_at !== null ? dateTime(u.starts_at) : formatDay(u.date)}
                        </span>
                      </div>
                      <Button data-testid="upcoming-brief" onClick={() => onBrief(u.household_id)}>
                        Brief
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <Card
              title="Dates that matter"
              testId="today-alerts"
              actions={
                <div className="flex rounded-md border border-line p-0.5" role="radiogroup" aria-label="How far ahead">
                  {([30, 90] as const).map((w) => (
                    <button
                      key={w}
                      role="radio"
                      aria-checked={window === w}
                      data-testid={`alerts-${w}`}
                      onClick={() => setWindow(w)}
                      className={cx("rounded px-2 py-0.5 text-xs", window === w ? "bg-sunken font-semibold" : "text-muted hover:text-ink")}
                    >
                      {w} days
                    </button>
                  ))}
                </div>
              }
            >
              {alerts.length === 0 ? (
                <Empty>No RMD, Medicare, Social Security, birthday or review dates in the next {window} days.</Empty>
              ) : (
                <ul className="divide-y divide-line">
                  {alerts.map((a, i) => (
                    <li key={i} className="py-2 text-sm" data-testid="today-alert" data-kind={a.kind}>
                      <div className="flex items-baseline gap-2">
                        <span className="w-24 shrink-0 text-xs text-muted">{formatDay(a.date)}</span>
                        <div className="min-w-0 flex-1">
                          <span className="block" title={a.rule}>
                            {a.title}
                          </span>
                          <button className="text-xs text-accent hover:underline" onClick={() => onOpenHousehold(a.household_id)}>
                            {a.household}
                          </button>
                        </div>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              {t.alerts_more > 0 && <p className="pt-2 text-xs text-muted">…and {t.alerts_more} more in the next 90 days.</p>}
            </Card>
            <Card
              title="Since you last looked"
              testId="since-card"
              actions={
                t.since_you_last_looked.length > 0 && (
                  <Button
                    variant="ghost"
                    data-testid="mark-seen"
                    onClick={() =>
                      void act(async () => {
                        await api.markSeen(t.latest_seq);
                        cache.invalidate(keys.today);
                      })
                    }
                  >
                    Mark as seen
                  </Button>
                )
              }
            >
              {t.since_you_last_looked.length === 0 ? (
                <Empty>No changes from colleagues since you last looked.</Empty>
              ) : (
                <ul className="space-y-2">
                  {t.since_you_last_looked.map((a) => (
                    <li key={a.seq} className="text-sm" data-testid="since-line">
                      <span className="font-medium">{a.advisor ?? "A colleague"}</span>{" "}
                      <button className="text-accent hover:underline" onClick={() => onOpenHousehold(a.household_id, "history")}>
                        {a.household}
                      </button>
                      <span className="text-muted"> · {relativeTime(a.time)}</span>
                      <div className="text-ink">{a.summary}</div>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
        </div>
      </div>
    </div>
  );
}

function LoopRow({
  loop,
  onOpenHousehold,
  act,
}: {
  loop: TodayLoop;
  onOpenHousehold: (id: string, tab?: string) => void;
  act: (work: () => Promise<unknown>) => Promise<void>;
}) {
  const [rescheduling, setRescheduling] = useState(false);
  const [day, setDay] = useState(loop.due ?? "");
  const today = new Date();
  const base = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
  const edit = (patch: Parameters<typeof api.updateTask>[2]) => act(() => applyEdit(loop.household_id, api.updateTask(loop.household_id, loop.task_id, patch)));
  return (
    <li className="flex flex-wrap items-center gap-2 py-2 text-sm" data-testid="today-loop" data-task-id={loop.task_id}>
      <button
        data-testid="today-done"
        aria-label={`Mark ${loop.title} done`}
        title="Done"
        onClick={() => void act(() => applyEdit(loop.household_id, api.setTaskStatus(loop.household_id, loop.task_id, "done")))}
        className="grid h-5 w-5 shrink-0 place-items-center rounded-full border border-line hover:border-ok hover:bg-ok/10"
      />
      <div className="min-w-0 flex-1">
        <span className="block truncate">{loop.title}</span>
        <span className="block truncate text-xs text-muted">
          <button className="hover:underline" onClick={() => onOpenHousehold(loop.household_id, "loops")}>
            {loop.household}
          </button>
          {loop.due && ` · due ${formatDay(loop.due)}`}
          {loop.days_overdue !== null && <span className="text-danger"> · {lateness(loop.days_overdue)}</span>}
        </span>
      </div>
      {!loop.mine && <Badge>{loop.owner}</Badge>}
      {rescheduling ? (
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            setRescheduling(false);
            void edit({ due: day || null });
          }}
        >
          <Input type="date" data-testid="today-reschedule-date" className="w-36" value={day} onChange={(e) => setDay(e.target.value)} />
          <Button type="submit" data-testid="today-reschedule-save">
            Save
          </Button>
        </form>
      ) : (
        <>
          <Button variant="ghost" data-testid="today-snooze" title="Hide until tomorrow" onClick={() => void edit({ snoozed_until: addDays(base, 1) })}>
            Tomorrow
          </Button>
          <Button variant="ghost" data-testid="today-snooze-week" title="Hide for a week" onClick={() => void edit({ snoozed_until: addDays(base, 7) })}>
            Next week
          </Button>
          <Button variant="ghost" data-testid="today-reschedule" onClick={() => setRescheduling(true)}>
            Reschedule
          </Button>
        </>
      )}
    </li>
  );
}

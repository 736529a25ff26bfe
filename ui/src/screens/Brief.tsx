// The pre-meeting brief: one page to read (or print, or save as PDF through the system's print
// dialog) before meeting a household — members with ages and coming milestones, accounts and
// how they moved since the last meeting, goals, the last meeting's decisions and action items,
// open loops, client facts, compliance, and a suggested agenda.
import { api, type Brief as BriefData } from "../api";
import { Badge, Button, ErrorBanner, Spinner } from "../components/ui";
import { keys, useQuery } from "../lib/data";
import { dateTime, dayOf, formatDay } from "../lib/dates";
import { toAppError } from "../lib/errors";
import { formatMoney } from "../lib/money";

export function BriefScreen({ id, onBack, onOpenHousehold }: { id: string; onBack: () => void; onOpenHousehold: () => void }) {
  const brief = useQuery(keys.brief(id), () => api.brief(id));
  const b = brief.data;
  return (
    <div className="flex h-full flex-col" data-testid="brief-screen">
      <header className="flex items-center gap-3 border-b border-line bg-panel px-6 py-3 print:hidden">
        <button onClick={onBack} className="text-xs text-muted hover:text-ink">
          ← Back
        </button>
        <div className="ml-auto flex gap-2">
          <Button onClick={onOpenHousehold}>Open household</Button>
          <Button variant="primary" data-testid="brief-print" onClick={() => window.print()}>
            Print or save as PDF
          </Button>
        </div>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto p-6 print:overflow-visible print:p-0">
        {!b ? (
          brief.error ? <ErrorBanner error={toAppError(brief.error)} /> : <Spinner />
        ) : (
          <BriefPage b={b} />
        )}
      </div>
    </div>
  );
}

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="break-inside-avoid border-t border-line pt-3" data-testid={testId}>
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">{title}</h2>
      {children}
    </section>
  );
}

function change(delta: string, percent: string | null): string {
  const up = !delta.startsWith("-");
  return `${up ? "+" : "−"}${formatMoney(delta.replace("-", ""))}${percent ? ` (${up ? "+" : ""}${percent}%)` : ""}`;
}

function BriefPage({ b }: { b: BriefData }) {
  return (
    <article className="mx-auto max-w-3xl space-y-4 text-sm" data-testid="brief">
      <div>
        <h1 className="text-2xl font-semibold" data-testid="brief-name">
          {b.name}
        </h1>
        <p className="text-muted">
          Brief for {formatDay(b.date)} · {b.status.replace("_", " ")}
          {b.segment && ` · segment ${b.segment}`}
          {b.aum_total && ` · ${formatMoney(b.aum_total)} under management`}
        </p>
        {b.conflicts > 0 && <p className="mt-1 text-warn">{b.conflicts} field(s) were set by two advisors at the same time; settle them on the household page.</p>}
      </div>
      <Section title="Suggested agenda" testId="brief-agenda">
        {b.agenda.length === 0 ? (
          <p className="text-muted">Nothing pressing.</p>
        ) : (
          <ol className="list-decimal space-y-1 pl-5">
            {b.agenda.map((point, i) => (
              <li key={i} data-testid="brief-agenda-point">
                {point}
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Section title="Members">
        <ul className="space-y-2">
          {b.members.map((m) => (
            <li key={m.id}>
              <span className="font-medium">{m.name}</span>{" "}
              <span className="text-muted">
                {m.role}
                {m.age !== null && `, ${m.age_from_year_only ? "about " : ""}${m.age}`}
              </span>
              {m.milestones.length > 0 && (
                <ul className="mt-0.5 space-y-0.5 pl-4 text-xs">
                  {m.milestones.map((a, i) => (
                    <li key={i} title={a.rule}>
                      <span className="text-muted">{formatDay(a.date)}</span> {a.title}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Accounts" testId="brief-accounts">
        <table className="w-full">
          <tbody>
            {b.accounts.map((a) => (
              <tr key={a.id} className="border-b border-line/60" data-testid="brief-account">
                <td className="py-1">
                  {a.kind}
                  <span className="text-xs text-muted">{[a.custodian, a.owner].filter(Boolean).map((s) => ` · ${s}`)}</span>
                </td>
                <td className="py-1 text-right tabular-nums">
                  {formatMoney(a.aum)}
                  {a.aum_as_of && <span className="block text-xs text-muted">as of {formatDay(a.aum_as_of)}</span>}
                </td>
                <td className="py-1 pl-3 text-right text-xs tabular-nums" data-testid="brief-aum-change">
                  {a.change_since_last_meeting ? (
                    <span className={a.change_since_last_meeting.delta.startsWith("-") ? "text-danger" : "text-ok"}>
                      {change(a.change_since_last_meeting.delta, a.change_since_last_meeting.percent)} since {formatDay(a.change_since_last_meeting.from_as_of)}
                    </span>
                  ) : (
                    <span className="text-muted">no balance from the last meeting</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {(b.goals.length > 0 || b.household_alerts.length > 0) && (
        <Section title="Goals and dates">
          <ul className="space-y-1">
            {b.goals.map((g) => (
              <li key={g.id}>
                {g.title}
                {g.progress_percent && <span className="text-muted"> · {g.progress_percent}% funded</span>}
                {g.target_date && <span className="text-muted"> · by {formatDay(g.target_date)}</span>}
                {g.behind_pace && (
                  <>
                    {" "}
                    <Badge tone="warn">behind pace</Badge>
                  </>
                )}
              </li>
            ))}
            {b.household_alerts.map((a, i) => (
              <li key={`a${i}`} title={a.rule}>
                <span className="text-muted">{formatDay(a.date)}</span> {a.title}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {b.last_meeting && (
        <Section title={`Last meeting: ${b.last_meeting.title}, ${dateTime(b.last_meeting.started_at)}`} testId="brief-last-meeting">
          {b.last_meeting.decisions.length > 0 && (
            <ul className="mb-2 list-disc space-y-0.5 pl-5">
              {b.last_meeting.decisions.map((d, i) => (
                <li key={i}>{d}</li>
              ))}
            </ul>
          )}
          <ul className="space-y-0.5">
            {b.last_meeting.action_items.map((item, i) => (
              <li key={i}>
                <Badge tone={item.status === "done" ? "ok" : item.status === "open" ? "warn" : "neutral"}>{item.status}</Badge> {item.what}{" "}
                <span className="text-xs text-muted">
                  ({item.side === "client" ? "client" : "you"}
                  {item.due && `, due ${formatDay(item.due)}`})
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Open loops">
        {b.open_loops.length === 0 ? (
          <p className="text-muted">None.</p>
        ) : (
          <ul className="space-y-0.5">
            {b.open_loops.map((l) => (
              <li key={l.id} className={l.overdue ? "text-danger" : undefined}>
                {l.title} <span className="text-xs text-muted">· {l.owner}{l.due && ` · due ${formatDay(l.due)}`}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {b.facts.length > 0 && (
        <Section title="Client facts">
          <ul className="grid grid-cols-2 gap-x-4 gap-y-0.5">
            {b.facts.map((f, i) => (
              <li key={i}>
                <span className="text-muted">{f.key.replaceAll("_", " ")}:</span> {f.value}
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Compliance" testId="brief-compliance">
        <p>{b.compliance.last_adv_delivery ? `Form ADV delivery last noted ${formatDay(b.compliance.last_adv_delivery[0])}.` : "No Form ADV delivery noted."}</p>
        {b.compliance.flags.map((f, i) => (
          <p key={i} className="text-warn">
            {formatDay(dayOf(f.started_at))} · {f.meeting}: {f.kind} — “{f.excerpt}”
          </p>
        ))}
      </Section>
    </article>
  );
}

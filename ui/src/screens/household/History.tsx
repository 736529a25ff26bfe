// Who changed what, newest first, as the profile words it. Loaded only while this tab is open.
import type { HistoryEntry } from "../../api";
import type { Query } from "../../lib/data";
import { dateTime } from "../../lib/dates";
import { toAppError } from "../../lib/errors";
import { Button, Card, Empty, ErrorBanner, Spinner } from "../../components/ui";

export function History({ history }: { history: Query<HistoryEntry[]> }) {
  // The profile lists changes in order; newest first, ties kept newest first too.
  const entries = [...(history.data ?? [])].reverse().sort((a, b) => b.time - a.time);
  return (
    <Card title="History" testId="history-card" actions={history.error ? <Button onClick={history.reload}>Try again</Button> : undefined}>
      {history.error ? <ErrorBanner error={toAppError(history.error)} /> : null}
      {!history.data && history.loading && <Spinner />}
      {history.data && entries.length === 0 && <Empty>No changes recorded yet.</Empty>}
      {entries.length > 0 && (
        <ol className="relative space-y-3 border-l border-line pl-5">
          {entries.map((h) => (
            <li key={h.hash} className="relative" data-testid="history-entry">
              <span className="absolute -left-[25px] top-1.5 h-2 w-2 rounded-full bg-accent" />
              <div className="text-sm" data-selectable>
                {h.summary || "(no description)"}
              </div>
              <div className="text-xs text-muted">
                <span data-testid="history-advisor">{h.advisor ?? "Unknown advisor"}</span>
                {h.device ? ` on ${h.device}` : ""} · {dateTime(h.time * 1000)}
              </div>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

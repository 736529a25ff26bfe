// Recording helpers: the level meter's scale and the live transcript's lines.

/** The quietest level the meter shows (dBFS); anything below is an empty bar. */
export const METER_FLOOR_DBFS = -60;

/** How full the level meter is (0–100) for an RMS level in dBFS. */
export function levelPercent(dbfs: number): number {
  if (!Number.isFinite(dbfs)) return 0;
  const clamped = Math.min(0, Math.max(METER_FLOOR_DBFS, dbfs));
  return Math.round(((clamped - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS) * 100);
}

/** Whether the meter shows sound rather than room noise. */
export function hasSignal(dbfs: number): boolean {
  return Number.isFinite(dbfs) && dbfs > -50;
}

/** Live text of one utterance, as the shell sends it. */
export interface LiveLine {
  utterance: number;
  text: string;
  isFinal: boolean;
}

/**
 * The live transcript after an event: a partial or final replaces the earlier text of the
 * same utterance (a final is never replaced by a late partial); lines stay in utterance order.
 */
export function applyLive(lines: LiveLine[], event: LiveLine): LiveLine[] {
  const i = lines.findIndex((l) => l.utterance === event.utterance);
  if (i >= 0) {
    if (lines[i].isFinal && !event.isFinal) return lines;
    const next = lines.slice();
    next[i] = event;
    return next;
  }
  return [...lines, event].sort((a, b) => a.utterance - b.utterance);
}

/** What an interrupted recording is, in words: "Annual review with the Okafors, started 7 Dec at 09:30". */
export function interruptedLabel(r: { title: string; household_name: string; started_at: number }, locale?: string): string {
  const when = new Date(r.started_at);
  const day = when.toLocaleDateString(locale, { day: "numeric", month: "short" });
  const time = when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hour12: false });
  return `${r.title.trim() || "Meeting"} with ${r.household_name}, started ${day} at ${time}`;
}

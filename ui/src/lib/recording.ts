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

/** Which stream a level or a live line comes from: the advisor's microphone or the other side of the call. */
export type Source = "microphone" | "system";

/** Live text of one utterance, as the shell sends it; utterances count per source. */
export interface LiveLine {
  source: Source;
  utterance: number;
  text: string;
  isFinal: boolean;
}

/** Who a live line is, in words. */
export function speakerLabel(source: Source): string {
  return source === "system" ? "Other side" : "You";
}

/**
 * The live transcript after an event: a partial or final replaces the earlier text of the
 * same utterance of the same source (a final is never replaced by a late partial). A new
 * utterance comes after everything already said (the two sides take turns), before any
 * later utterance of its own source that arrived first.
 */
export function applyLive(lines: LiveLine[], event: LiveLine): LiveLine[] {
  const i = lines.findIndex((l) => l.source === event.source && l.utterance === event.utterance);
  if (i >= 0) {
    if (lines[i].isFinal && !event.isFinal) return lines;
    const next = lines.slice();
    next[i] = event;
    return next;
  }
  const later = lines.findIndex((l) => l.source === event.source && l.utterance > event.utterance);
  if (later < 0) return [...lines, event];
  return [...lines.slice(0, later), event, ...lines.slice(later)];
}

/** What the meter of each source shows: the latest level of each, in dBFS. */
export type Levels = Record<Source, number>;

/** What an interrupted recording is, in words: "Annual review with the Okafors, started 7 Dec at 09:30". */
export function interruptedLabel(r: { title: string; household_name: string; started_at: number }, locale?: string): string {
  const when = new Date(r.started_at);
  const day = when.toLocaleDateString(locale, { day: "numeric", month: "short" });
  const time = when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hour12: false });
  return `${r.title.trim() || "Meeting"} with ${r.household_name}, started ${day} at ${time}`;
}

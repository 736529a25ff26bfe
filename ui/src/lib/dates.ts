// Dates as the UI shows them. Due dates are plain calendar days ("2026-12-04").

export type DueState = "overdue" | "today" | "soon" | "later" | "none";

/** Today's calendar day in local time, YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

function days(day: string): number {
  const [y, m, d] = day.split("-").map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

/** How urgent an open loop is: past due, due today, within 7 days, later, or undated. */
export function dueState(due: string | null | undefined, todayDay: string): DueState {
  if (!due || !/^\d{4}-\d{2}-\d{2}$/.test(due)) return "none";
  const diff = days(due) - days(todayDay);
  if (diff < 0) return "overdue";
  if (diff === 0) return "today";
  if (diff <= 7) return "soon";
  return "later";
}

/** "3 min ago", "2 h ago", "yesterday", or a date. */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return "yesterday";
  if (d < 7) return `${d} days ago`;
  return new Date(ms).toLocaleDateString();
}

// One date format per locale: every date the app shows goes through these two formatters,
// which follow the system's locale (Dec 5, 2026 / 5 Dec 2026 / 05.12.2026…).
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A timestamp as a readable date and time, in the locale's format. */
export function dateTime(ms: number): string {
  return dateTimeFormat.format(new Date(ms));
}

/** A calendar day ("2026-12-05") in the locale's format; anything else unchanged. */
export function formatDay(day: string | null | undefined): string {
  if (!day) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return dayFormat.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

/** The calendar day `n` days after `day` (YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  const p = (v: number) => String(v).padStart(2, "0");
  return `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}`;
}

/** The local calendar day (YYYY-MM-DD) of a timestamp. */
export function dayOf(ms: number): string {
  return today(new Date(ms));
}

// Pure logic behind the household page: ages, amounts and dates typed by the advisor, balance
// history, goal progress, custom-field forms from a template's schema, snoozes, conflicts.
// No React here, so all of it is tested in household.test.ts.

import type { Account, Address, Balance, FieldConflict, Member, Task } from "../bindings";
import { addDays } from "./dates";
import { sumDecimals, toScaled } from "./money";

/** An input's check: the value to send, or a message for the advisor. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(message: string): Checked<T> => ({ ok: false, message });

// ---------------------------------------------------------------------------------------------
// Dates

/** Whether `text` is a real calendar day written YYYY-MM-DD (no Feb 30, no 2025-02-29). */
export function isDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Checks a date input: empty is "no date" (null), else a real YYYY-MM-DD day. */
export function checkDay(text: string, what: string): Checked<string | null> {
  const t = text.trim();
  if (!t) return ok(null);
  return isDay(t) ? ok(t) : fail(`${what}: pick a real date (YYYY-MM-DD), e.g. 2026-12-31.`);
}

/** Whole years from `birth` (YYYY-MM-DD) to `day` (YYYY-MM-DD); null if either is not a day
 * or the birth is after `day`. Someone born on Feb 29 turns a year older on Mar 1 in a common
 * year (their birthday has not "happened" on Feb 28). */
export function ageOn(birth: string, day: string): number | null {
  if (!isDay(birth) || !isDay(day)) return null;
  const [by, bm, bd] = birth.split("-").map(Number);
  const [ty, tm, td] = day.split("-").map(Number);
  const before = tm < bm || (tm === bm && td < bd);
  const age = ty - by - (before ? 1 : 0);
  return age < 0 ? null : age;
}

/** What the member row shows: "age 64" from a full date, "born 1961" from a year alone. */
export function ageLabel(m: Pick<Member, "birth_date" | "birth_year">, day: string): string | null {
  if (m.birth_date) {
    const age = ageOn(m.birth_date, day);
    if (age !== null) return `age ${age}`;
  }
  if (m.birth_year) return `born ${m.birth_year}`;
  return null;
}

/** The birth as the edit field shows it: the date if known, else the year, else empty. */
export function birthInput(m: Pick<Member, "birth_date" | "birth_year">): string {
  return m.birth_date ?? (m.birth_year ? String(m.birth_year) : "");
}

/** Checks a birth typed as a year (1961) or a date (1961-04-02), as the shell does; empty
 * clears it (null). */
export function checkBirth(text: string): Checked<string | null> {
  const t = text.trim();
  if (!t) return ok(null);
  const plausible = (y: number) => y >= 1850 && y <= 2200;
  const message = `Birth: write a year (1961) or a date as YYYY-MM-DD (1961-04-02), not "${t}".`;
  if (/^\d{4}$/.test(t)) return plausible(Number(t)) ? ok(t) : fail(message);
  if (isDay(t) && plausible(Number(t.slice(0, 4)))) return ok(t);
  return fail(message);
}

/** The instant a local date and time (from date and time inputs) stands for, ms since the
 * epoch; null if either is not valid. */
export function localDateTimeMs(date: string, time: string): number | null {
  if (!isDay(date)) return null;
  const m = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(time);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  const [y, mo, d] = date.split("-").map(Number);
  return new Date(y, mo - 1, d, Number(m[1]), Number(m[2])).getTime();
}

export type SnoozeChoice = "day" | "week" | { until: string };

/** The day a loop snoozed now wakes up: tomorrow, in a week, or a picked day after today. */
export function snoozeUntil(choice: SnoozeChoice, day: string): Checked<string> {
  if (choice === "day") return ok(addDays(day, 1));
  if (choice === "week") return ok(addDays(day, 7));
  const until = choice.until.trim();
  if (!isDay(until)) return fail("Snooze: pick the day the loop should come back.");
  if (until <= day) return fail("Snooze: pick a day after today.");
  return ok(until);
}

// ---------------------------------------------------------------------------------------------
// Amounts

/** Checks an amount typed by the advisor: plain decimal digits only ("1250000.00"), so what is
 * stored is exactly what was meant. "1,300", "$5", "1e6" and " " are refused with a reason. */
export function checkDecimal(text: string, what: string, opts: { negative?: boolean; maxFraction?: number } = {}): Checked<string> {
  const t = text.trim();
  if (!t) return fail(`${what}: enter an amount.`);
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) {
    let why = "digits with an optional decimal point, e.g. 1250000.00";
    if (/^-?[\d.]+,[\d,.]*$|^-?\d{1,3}(,\d{3})+/.test(t)) why = "digits without thousands separators, e.g. 1300 or 1300.50";
    else if (/\d[eE][+-]?\d/.test(t)) why = "plain digits, not exponent notation (1000000 for 1e6)";
    else if (/[$€£%]/.test(t)) why = "digits only, without a currency or percent sign";
    return fail(`${what}: write ${why} (got "${t}").`);
  }
  if (m[1] && !opts.negative) return fail(`${what} cannot be negative.`);
  if (opts.maxFraction !== undefined && (m[3] ?? "").length > opts.maxFraction)
    return fail(`${what}: at most ${opts.maxFraction} digits after the decimal point.`);
  return ok(t);
}

/** An optional amount: empty means "none" (null), anything else must be a plain decimal. */
export function checkOptionalDecimal(text: string, what: string): Checked<string | null> {
  return text.trim() ? checkDecimal(text, what) : ok(null);
}

/** A fee rate as a fraction of assets ("0.0085" for 0.85%); empty is none. */
export function checkFeeRate(text: string): Checked<string | null> {
  if (!text.trim()) return ok(null);
  const d = checkDecimal(text, "Fee rate");
  if (!d.ok) return fail(`${d.message} Write it as a fraction: 0.0085 for 0.85%.`);
  const scale = d.value.split(".")[1]?.length ?? 0;
  if ((toScaled(d.value, scale) ?? 0n) >= 10n ** BigInt(scale)) return fail(`Fee rate: ${d.value} is 100% or more; write it as a fraction, 0.0085 for 0.85%.`);
  return d;
}

/** Funded / target, exactly: the bar's width (0–100) and the label ("45.25%", truncated to
 * two decimals). Null when there is no usable target. */
export function goalProgress(funded: string | null | undefined, target: string | null | undefined): { percent: number; label: string } | null {
  if (!target) return null;
  const frac = (v: string) => v.trim().split(".")[1]?.length ?? 0;
  const scale = Math.max(frac(target), funded ? frac(funded) : 0);
  const t = toScaled(target, scale);
  const f = funded ? toScaled(funded, scale) : 0n;
  if (t === null || t <= 0n || f === null) return null;
  const basis = (f * 10_000n) / t; // hundredths of a percent
  const whole = basis / 100n;
  const cents = (basis < 0n ? -basis : basis) % 100n;
  const label = `${basis < 0n && whole === 0n ? "-" : ""}${whole}.${String(cents).padStart(2, "0")}%`;
  const percent = basis <= 0n ? 0 : basis >= 10_000n ? 100 : Number(basis) / 100;
  return { percent, label };
}

/** Sum of the open accounts' AUM (a closed account counts for nothing). */
export function openAum(accounts: Account[]): string {
  return sumDecimals(accounts.filter((a) => !a.closed_on).map((a) => a.aum));
}

/** Every balance of an account, oldest first: by as-of date, then by when it was entered. */
export function balanceHistory(balances: Record<string, Balance>): (Balance & { id: string })[] {
  return Object.entries(balances)
    .map(([id, b]) => ({ id, ...b }))
    .sort((a, b) => a.as_of.localeCompare(b.as_of) || a.recorded_at - b.recorded_at || a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------------------------------------
// Edits

/** The fields of an edit form that changed, trimmed; an emptied field is null ("clear"). Only
 * these go into the patch, so a colleague's concurrent edit of another field is kept. */
export function changedFields<K extends string>(before: Record<K, string>, after: Record<K, string>): Partial<Record<K, string | null>> {
  const out: Partial<Record<K, string | null>> = {};
  for (const key of Object.keys(after) as K[]) {
    const was = (before[key] ?? "").trim();
    const now = (after[key] ?? "").trim();
    if (was !== now) out[key] = now === "" ? null : now;
  }
  return out;
}

/** Tags typed as "estate, 529 plan": trimmed, deduplicated, without empties. */
export function splitTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
}

export const STATUS_LABELS: Record<string, string> = { prospect: "Prospect", client: "Client", former_client: "Former client" };

export type AddressForm = { line1: string; line2: string; city: string; region: string; postal_code: string; country: string };

export function addressForm(a: Address | null): AddressForm {
  return { line1: a?.line1 ?? "", line2: a?.line2 ?? "", city: a?.city ?? "", region: a?.region ?? "", postal_code: a?.postal_code ?? "", country: a?.country ?? "" };
}

/** The address a form stands for: all empty clears it (null); a street and a city are needed. */
export function checkAddress(f: AddressForm): Checked<Address | null> {
  const v = (s: string) => s.trim() || null;
  if (Object.values(f).every((s) => !s.trim())) return ok(null);
  if (!f.line1.trim() || !f.city.trim()) return fail("Address: a street and a city are needed (or empty every field to remove the address).");
  return ok({ line1: f.line1.trim(), line2: v(f.line2), city: f.city.trim(), region: v(f.region), postal_code: v(f.postal_code), country: v(f.country) });
}

/** One line: "12 Oak St, Apt 4, Springfield, IL 62701, US". */
export function formatAddress(a: Address | null): string {
  if (!a) return "";
  const regionLine = [a.region, a.postal_code].filter(Boolean).join(" ");
  return [a.line1, a.line2, a.city, regionLine, a.country].filter(Boolean).join(", ");
}

/** Open loops by due date (undated last), then closed ones, most recently closed first. */
export function sortTasks<T extends Pick<Task, "status" | "due" | "title" | "closed_at" | "created_at">>(tasks: [string, T][]): { open: [string, T][]; closed: [string, T][] } {
  const open = tasks
    .filter(([, t]) => t.status === "open")
    .sort(([, a], [, b]) => (a.due ?? "9999-99-99").localeCompare(b.due ?? "9999-99-99") || a.created_at - b.created_at);
  const closed = tasks.filter(([, t]) => t.status !== "open").sort(([, a], [, b]) => (b.closed_at ?? 0) - (a.closed_at ?? 0));
  return { open, closed };
}

// ---------------------------------------------------------------------------------------------
// Conflicts

/** "AUM of Rollover IRA: Blake Advisor set 1,310,000.00 at the same time as you
 * (1,300,000.00)" — from `me`'s point of view, the values exactly as the shell formatted them
 * (the same words the CLI uses). */
export function describeConflict(c: FieldConflict, me: string): string {
  const mine = c.values.find((v) => v.advisor === me);
  const others = c.values.filter((v) => v.advisor !== me).map((v) => `${v.advisor ?? "someone"} set ${v.value}`);
  if (mine) return `${c.label}: ${others.join(" and ")} at the same time as you (${mine.value})`;
  return `${c.label}: ${others.join("; ")}, at the same time`;
}

// ---------------------------------------------------------------------------------------------
// Custom fields from a template's schema

export type CustomField = {
  name: string;
  label: string;
  type: "string" | "number" | "integer" | "boolean";
  input: "text" | "select" | "number" | "checkbox" | "date";
  /** The field in words for messages: "annual review month". */
  words: string;
  /** Allowed values, as text (enum). */
  options?: string[];
  min?: number;
  max?: number;
};

/** "time_horizon_years" → "Time horizon years". */
export function fieldLabel(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The form a template's JSON Schema describes; an error if Hearth cannot read it. */
export function schemaFields(schema: string): Checked<CustomField[]> {
  let root: unknown;
  try {
    root = JSON.parse(schema);
  } catch {
    return fail("The template's schema is not valid JSON.");
  }
  const props = (root as { properties?: unknown } | null)?.properties;
  if (!props || typeof props !== "object" || Array.isArray(props)) return fail("The template's schema has no fields.");
  const fields: CustomField[] = [];
  for (const [name, raw] of Object.entries(props as Record<string, Record<string, unknown>>)) {
    const type = raw?.type;
    if (type !== "string" && type !== "number" && type !== "integer" && type !== "boolean") return fail(`The template's field "${name}" has a type Hearth cannot show.`);
    const f: CustomField = { name, label: fieldLabel(name), words: name.replace(/_/g, " ").trim(), type, input: "text" };
    if (Array.isArray(raw.enum)) {
      f.input = "select";
      f.options = raw.enum.map((v) => String(v));
    } else if (type === "boolean") f.input = "checkbox";
    else if (type === "number" || type === "integer") f.input = "number";
    else if (raw.format === "date") f.input = "date";
    if (typeof raw.minimum === "number") f.min = raw.minimum;
    if (typeof raw.maximum === "number") f.max = raw.maximum;
    fields.push(f);
  }
  return ok(fields);
}

/** A stored value (JSON text) as the input shows it. */
export function customInput(f: CustomField, stored: string | undefined): string | boolean {
  if (stored === undefined) return f.input === "checkbox" ? false : "";
  let v: unknown;
  try {
    v = JSON.parse(stored);
  } catch {
    return stored;
  }
  if (f.input === "checkbox") return v === true;
  return v === null || v === undefined ? "" : String(v);
}

/** Checks what the advisor entered against the field's schema: the JSON value to store, or a
 * message naming the field. */
export function checkCustom(f: CustomField, raw: string | boolean): Checked<string | number | boolean> {
  if (f.type === "boolean") return typeof raw === "boolean" ? ok(raw) : ok(raw === "true");
  const text = String(raw).trim();
  const the = `The ${f.words}`;
  if (!text) return fail(`${the} is empty: enter a value.`);
  let value: string | number;
  if (f.type === "string") value = text;
  else {
    const re = f.type === "integer" ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
    if (!re.test(text)) return fail(`${the} must be ${f.type === "integer" ? "a whole number" : "a number"}, not "${text}".`);
    value = Number(text);
  }
  if (f.options && !f.options.includes(String(value))) return fail(`${the} must be one of ${f.options.join(", ")}.`);
  if (f.input === "date" && !isDay(text)) return fail(`${the} must be a date as YYYY-MM-DD.`);
  if (typeof value === "number") {
    if (f.min !== undefined && value < f.min) return fail(`${the} must be at least ${f.min}.`);
    if (f.max !== undefined && value > f.max) return fail(`${the} must be at most ${f.max}.`);
  }
  return ok(value);
}

// Settings, profile files and the CRM import wizard: the pure parts (column mapping, the
// recording policy's checks, how saved paths and downloads read), kept apart from the screens
// so they can be tested.

import type { Disclosure, ImportReport, ModelProgress } from "../bindings";
import { dateTime } from "./dates";
import { formatBytes } from "./meeting";

/** "1 household" / "3 households". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? word : many}`;
}

// ---------------------------------------------------------------------------------------------
// CSV import: columns and their mapping.


const FIELD_LABEL: Record<string, string> = {
  household: "Household name",
  full_name: "Full name",
  first_name: "First name",
  last_name: "Last name",
  role: "Role in the household",
  status: "Client or prospect",
  email: "E-mail",
  phone: "Phone",
  birth_date: "Date of birth",
  address_line1: "Street address",
  city: "City",
  region: "State",
  postal_code: "ZIP code",
  tags: "Tags",
  note: "Background note",
  ignore: "Don't import",
};

/** A field in words ("first_name" → "First name"). */
export function fieldLabel(field: string): string {
  const known = FIELD_LABEL[field];
  if (known) return known;
  const words = field.replaceAll("_", " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : field;
}

/** The choices for a column: the shell's fields, once each, with "ignore" last. */
export function fieldOptions(fields: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of fields) {
    if (f && f !== "ignore" && !seen.has(f)) {
      seen.add(f);
      out.push(f);
    }
  }
  out.push("ignore");
  return out;
}

/** The columns of a CSV file, from its header row: quoted names (with commas, doubled quotes
 * or line breaks inside) read whole, a byte-order mark dropped, names trimmed, blank and
 * repeated names left out. */
export function csvColumns(text: string): string[] {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  for (; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") break;
    else cell += c;
  }
  cells.push(cell);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of cells) {
    const name = raw.trim();
    if (name && !seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The `(column, field)` overrides to send: the columns the advisor set to something other
 * than what the format maps them to by itself. A column whose default is not known yet is
 * sent as chosen. */
export function mappingOverrides(defaults: Record<string, string>, chosen: Record<string, string>): [string, string][] {
  return Object.entries(chosen).filter(([column, field]) => defaults[column] !== field);
}

/** What the format maps each column to by itself, learnt from a preview: every column not
 * overridden in `sent` shows its default in the plan's `columns` (absent = not imported). */
export function learnDefaults(
  previous: Record<string, string>,
  columns: readonly string[],
  planColumns: Record<string, string>,
  sent: readonly [string, string][],
): Record<string, string> {
  const next = { ...previous };
  for (const column of columns) {
    if (sent.some(([c]) => same(c, column))) continue;
    next[column] = planColumns[column] ?? "ignore";
  }
  return next;
}

/** The field a column's select shows: the advisor's choice, else the format's default, else
 * what the last preview used, else "ignore". */
export function columnField(column: string, chosen: Record<string, string>, defaults: Record<string, string>, planColumns: Record<string, string> | null): string {
  return chosen[column] ?? defaults[column] ?? planColumns?.[column] ?? "ignore";
}

/** "Line 4: skipped, no name" from the shell's "line 4: skipped, no name". */
export function warningText(warning: string): string {
  return warning ? warning[0].toUpperCase() + warning.slice(1) : warning;
}

const STATUS_LABEL: Record<string, string> = { client: "Client", prospect: "Prospect", former_client: "Former client" };

/** A household status in words. */
export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? fieldLabel(status);
}

// ---------------------------------------------------------------------------------------------
// Recording policy.

export type ConsentMode = "one-party" | "all-party";

/** What a consent mode asks of the advisor, in one sentence. */
export function consentModeSentence(mode: string): string {
  return mode === "all-party"
    ? "Everyone in the meeting must agree before it is recorded, and each name is recorded with the consent. Required in all-party (two-party) consent states."
    : "The consent of one person in the conversation is enough; Hearth still records who agreed and the disclosure that was read.";
}

export type KeepDays = { ok: true; days: number } | { ok: false; message: string };

/** The longest retention the screen accepts (100 years). */
export const MAX_KEEP_DAYS = 36_500;

/** Reads the audio retention field: whole days, 0 = deleted once transcribed. */
export function parseKeepDays(text: string): KeepDays {
  const t = text.trim();
  if (!t) return { ok: false, message: "Enter a number of days (0 deletes the audio once it is transcribed)." };
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) return { ok: false, message: "Enter a number of days, e.g. 30." };
  const n = Number(t);
  if (n < 0) return { ok: false, message: "The number of days cannot be negative." };
  if (!Number.isInteger(n)) return { ok: false, message: "Enter whole days." };
  if (n > MAX_KEEP_DAYS) return { ok: false, message: `At most ${MAX_KEEP_DAYS.toLocaleString()} days.` };
  return { ok: true, days: n };
}

/** What happens to audio under a retention of `days`. */
export function keepDaysSentence(days: number): string {
  if (days <= 0) return "Audio is deleted as soon as it is transcribed; only the transcript is kept.";
  return `Audio is kept encrypted on this computer for ${plural(days, "day")}, then deleted; the transcript stays.`;
}

/** The saved text changed but the version did not: the shell refuses that (each consent
 * names the words that were read), so the screen says so before saving. */
export function needsNewVersion(saved: Disclosure, draft: Disclosure): boolean {
  return saved.version.trim() === draft.version.trim() && saved.text.trim() !== draft.text.trim();
}

export interface PolicyDraft {
  consentMode: string;
  keepDays: string;
  version: string;
  text: string;
}

/** Whether the draft differs from what is saved. */
export function policyChanged(saved: { consent_mode: string; audio_keep_days: number; disclosure: Disclosure }, draft: PolicyDraft): boolean {
  const days = parseKeepDays(draft.keepDays);
  return (
    saved.consent_mode !== draft.consentMode ||
    !days.ok ||
    days.days !== saved.audio_keep_days ||
    saved.disclosure.version.trim() !== draft.version.trim() ||
    saved.disclosure.text.trim() !== draft.text.trim()
  );
}

/** A meeting's `audio` field in words: `none`, `recording`, `kept`, `kept-until:<ms>`,
 * `deleted`. Empty when there is nothing to say. */
export function audioStatus(audio: string | null | undefined): string {
  if (!audio || audio === "none") return "";
  if (audio === "recording") return "audio being transcribed";
  if (audio === "kept") return "audio kept, encrypted";
  if (audio === "deleted") return "audio deleted per the retention policy";
  const until = /^kept-until:(\d+)$/.exec(audio);
  if (until) return `audio kept, encrypted, until ${dateTime(Number(until[1]))}`;
  return "";
}

// ---------------------------------------------------------------------------------------------
// Files in and out.

/** A saved file's path, short enough to read: its folder and name ("…/Downloads/x.json");
 * the full path stays available as the element's title. */
export function shortenPath(path: string): string {
  const sep = path.includes("\\") && !path.includes("/") ? "\\" : "/";
  const parts = path.split(/[\\/]/).filter(Boolean);
  if (parts.length <= 2) return path;
  return `…${sep}${parts.slice(-2).join(sep)}`;
}

/** "Imported 3 households (2 new, 1 merged)". */
export function importReportText(r: ImportReport): string {
  return `Imported ${plural(r.added + r.merged, "household")} (${r.added.toLocaleString()} new, ${r.merged.toLocaleString()} merged)`;
}

// ---------------------------------------------------------------------------------------------
// Model download.

/** The progress bar's percent for a model download (0 while the size is unknown). */
export function downloadPercent(p: ModelProgress | null): number {
  if (!p?.total) return 0;
  return Math.max(0, Math.min(100, Math.floor((p.downloaded * 100) / p.total)));
}

/** "12.3 MB of 77.7 MB", "12.3 MB", or "connecting…" before the first bytes. */
export function downloadDetail(p: ModelProgress | null): string {
  if (!p || p.downloaded <= 0) return "connecting…";
  return `${formatBytes(p.downloaded)}${p.total ? ` of ${formatBytes(p.total)}` : ""}`;
}

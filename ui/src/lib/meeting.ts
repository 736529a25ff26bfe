// Meeting workflow helpers: consent names and which suggestions the advisor accepted.

/** "Linda Johnson, Robert Johnson," → ["Linda Johnson", "Robert Johnson"]. */
export function parseNames(text: string): string[] {
  const seen = new Set<string>();
  return text
    .split(/[,;\n]/)
    .map((n) => n.trim())
    .filter((n) => n && !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
}

export interface Selection {
  actions: Set<number>;
  facts: Set<number>;
  notes: Set<number>;
}

/** Whether a suggestion was filed: its key was accepted (`notes` filed every note, before notes were certified one by one). */
export function isFiled(key: string, accepted: string[]): boolean {
  return accepted.includes(key) || (key.startsWith("note:") && accepted.includes("notes"));
}

/** The item keys the shell's accept command takes (`action:N`, `fact:N`, `note:N`), without those already filed. */
export function acceptKeys(sel: Selection, alreadyAccepted: string[] = []): string[] {
  const keys = [
    ...[...sel.actions].sort((a, b) => a - b).map((i) => `action:${i}`),
    ...[...sel.facts].sort((a, b) => a - b).map((i) => `fact:${i}`),
    ...[...sel.notes].sort((a, b) => a - b).map((i) => `note:${i}`),
  ];
  return keys.filter((k) => !isFiled(k, alreadyAccepted));
}

/** Consent is complete when the disclosure was read and at least one person consented. */
export function consentComplete(disclosureRead: boolean, names: string[]): boolean {
  return disclosureRead && names.length > 0;
}

/** Someone who may be in the meeting: a household member, or a guest typed in. */
export interface Attendee {
  name: string;
  present: boolean;
  consented: boolean;
}

/** Who takes part and who consented, and whether capture may start: someone consented, and
 * with all-party consent every participant did (`missing` names those who did not). The shell
 * checks again (including states that require all-party consent by the household's address). */
export function consentFor(
  attendees: Attendee[],
  guests: string[],
  allParty: boolean,
  disclosureRead: boolean,
): { participants: string[]; consented: string[]; missing: string[]; complete: boolean } {
  const present = attendees.filter((a) => a.present);
  const known = new Set(present.map((a) => a.name.toLowerCase()));
  const extra = guests.filter((g) => !known.has(g.toLowerCase()));
  const participants = [...present.map((a) => a.name), ...extra];
  // A guest typed in is there because they agreed (the field asks for those who consented).
  const consented = [...present.filter((a) => a.consented).map((a) => a.name), ...extra];
  const missing = present.filter((a) => !a.consented).map((a) => a.name);
  const complete = disclosureRead && consented.length > 0 && (!allParty || missing.length === 0);
  return { participants, consented, missing, complete };
}

/** A follow-up draft as plain e-mail text. */
export function draftText(draft: { subject: string; body: string }): string {
  return `Subject: ${draft.subject}\n\n${draft.body}`;
}

/** "12:04" from milliseconds. */
export function timestamp(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** Where an audio import stands, as the shell reports it. */
export interface ImportStage {
  stage: string;
  percent: number | null;
}

/** Share of the progress bar each stage starts at; transcription fills most of it. */
const STAGE_START: Record<string, number> = { decoding: 0, loading_model: 5, sealing: 10, transcribing: 15, saving: 97 };

/** The overall percent (0–100) to show for an import's stage. */
export function importPercent(p: ImportStage | null): number {
  if (!p) return 0;
  const start = STAGE_START[p.stage] ?? 0;
  if (p.stage === "transcribing") {
    const inner = Math.min(100, Math.max(0, p.percent ?? 0));
    return Math.round(start + (inner * (STAGE_START.saving - start)) / 100);
  }
  return start;
}

/** A short label for an import's stage. */
export function importLabel(p: ImportStage | null): string {
  switch (p?.stage) {
    case undefined:
      return "Starting…";
    case "decoding":
      return "Reading the recording…";
    case "loading_model":
      return "Loading the speech model…";
    case "sealing":
      return "Encrypting the audio on this computer…";
    case "transcribing":
      return `Transcribing on this computer… ${Math.min(100, Math.max(0, p.percent ?? 0))}%`;
    case "saving":
      return "Saving the transcript…";
    default:
      return "Working…";
  }
}

/** "75.5 MB" / "812 KB" from bytes. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

/** The names a speaker can be given: the meeting's participants and the speakers already in its transcript ("?" left out), each once, in that order. */
export function speakerChoices(participants: string[], transcript: { speaker: string | null }[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of [...participants, ...transcript.map((s) => s.speaker ?? "")]) {
    const n = name.trim();
    if (!n || n === "?" || seen.has(n.toLowerCase())) continue;
    seen.add(n.toLowerCase());
    out.push(n);
  }
  return out;
}

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
  notes: boolean;
}

/** The item keys the shell's accept command takes (`action:N`, `fact:N`, `notes`). */
export function acceptKeys(sel: Selection, alreadyAccepted: string[] = []): string[] {
  const keys = [
    ...[...sel.actions].sort((a, b) => a - b).map((i) => `action:${i}`),
    ...[...sel.facts].sort((a, b) => a - b).map((i) => `fact:${i}`),
    ...(sel.notes ? ["notes"] : []),
  ];
  return keys.filter((k) => !alreadyAccepted.includes(k));
}

/** Consent is complete when the disclosure was read and at least one person consented. */
export function consentComplete(disclosureRead: boolean, names: string[]): boolean {
  return disclosureRead && names.length > 0;
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

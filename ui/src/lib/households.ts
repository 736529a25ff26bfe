// Listing logic for the households screen: search-as-you-type, filters and sorting.

import type { HouseholdSummary } from "../bindings";
import { toScaled } from "./money";

export type { HouseholdSummary };

/** Which column the list is sorted by. */
export type SortKey = "name" | "aum" | "last_contact" | "next_review" | "open_loops";

/** Sorts a copy: name A–Z; AUM largest first; longest without contact first (never-met
 * first); soonest review first (none last); most open loops first. Ties by name. */
export function sortHouseholds(list: HouseholdSummary[], key: SortKey): HouseholdSummary[] {
  const byName = (a: HouseholdSummary, b: HouseholdSummary) => a.name.localeCompare(b.name);
  const aum = (h: HouseholdSummary) => (h.aum_total ? toScaled(h.aum_total, 2) ?? 0n : 0n);
  const cmp: Record<SortKey, (a: HouseholdSummary, b: HouseholdSummary) => number> = {
    name: byName,
    aum: (a, b) => (aum(b) > aum(a) ? 1 : aum(b) < aum(a) ? -1 : 0),
    last_contact: (a, b) => (a.last_contact ?? -Infinity) - (b.last_contact ?? -Infinity),
    next_review: (a, b) => (a.next_review ?? "9999").localeCompare(b.next_review ?? "9999"),
    open_loops: (a, b) => b.open_loops - a.open_loops,
  };
  return [...list].sort((a, b) => cmp[key](a, b) || byName(a, b));
}

/** Segment filter: every household, those without a segment, or one segment. */
export type SegmentFilter = { kind: "all" } | { kind: "none" } | { kind: "segment"; segment: string };

/** Lower-cases and strips accents so "jose" finds "José". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/** Households whose name contains every word of `query` (any order), within `segment`. */
export function filterHouseholds(
  list: HouseholdSummary[],
  query: string,
  segment: SegmentFilter = { kind: "all" },
  status: "all" | "client" | "prospect" | "former_client" = "all",
  archived = false,
): HouseholdSummary[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return list.filter((h) => {
    if (h.archived !== archived) return false;
    if (segment.kind === "none" && h.segment) return false;
    if (segment.kind === "segment" && h.segment !== segment.segment) return false;
    if (status !== "all" && h.status !== status) return false;
    if (words.length === 0) return true;
    const name = fold(h.name);
    return words.every((w) => name.includes(w));
  });
}

/** The distinct segments in use, sorted. */
export function segmentsOf(list: HouseholdSummary[]): string[] {
  return [...new Set(list.map((h) => h.segment).filter((s): s is string => !!s))].sort((a, b) =>
    a.localeCompare(b),
  );
}

/** Initials for an avatar: "The Johnson Family" → "JF". */
export function initials(name: string): string {
  const words = name
    .split(/\s+/)
    .filter((w) => w && !/^(the|and|&|of)$/i.test(w));
  return (words[0]?.[0] ?? "?").toUpperCase() + (words[1]?.[0] ?? "").toUpperCase();
}

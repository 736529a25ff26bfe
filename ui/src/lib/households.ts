// Listing logic for the households screen: search-as-you-type and segment filters.

export interface HouseholdSummary {
  id: string;
  name: string;
  status: string;
  segment: string | null;
  updated_at: number;
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
  status: "all" | "client" | "prospect" = "all",
): HouseholdSummary[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return list.filter((h) => {
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

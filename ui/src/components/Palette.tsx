// Ctrl/Cmd-K: jump to a household or a screen by typing. Full-text search across notes and
// transcripts joins here when the shell offers it (capabilities.search).
import * as Dialog from "@radix-ui/react-dialog";
import { useEffect, useMemo, useState } from "react";
import { api, type Capabilities, type HouseholdSummary, type SearchResult } from "../api";
import type { Route } from "../App";
import { filterHouseholds } from "../lib/households";
import type { CaptureKind } from "./QuickCapture";
import { cx } from "./ui";

interface Item {
  key: string;
  label: string;
  hint: string;
  snippet?: SearchResult["snippet"];
  run: () => void;
}

/** Kinds a search can be narrowed to. */
const SEARCH_KINDS: [string, string][] = [
  ["", "Everything"],
  ["note", "Notes"],
  ["task", "Open loops"],
  ["transcript", "Transcripts"],
  ["document", "Documents"],
  ["fact", "Facts"],
  ["member", "People"],
  ["account", "Accounts"],
];

/** Which household tab a search hit opens. */
const TAB_OF: Record<string, string> = { note: "notes", task: "loops", meeting: "meetings", transcript: "meetings", document: "documents" };

export function Palette({
  open,
  onOpenChange,
  households,
  caps,
  onGo,
  onNewHousehold,
  onCapture,
  me,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  households: HouseholdSummary[];
  caps: Capabilities;
  onGo: (r: Route) => void;
  onNewHousehold: () => void;
  onCapture: (kind: CaptureKind) => void;
  /** This advisor (the "Mine" filter). */
  me: string;
}) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [hits, setHits] = useState<SearchResult[]>([]);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [kind, setKind] = useState<string>("");
  const [mine, setMine] = useState(false);

  useEffect(() => {
    if (open) {
      setQuery("");
      setActive(0);
      setHits([]);
    }
  }, [open]);

  // Full-text search as you type, debounced; a late answer for an old query is dropped.
  useEffect(() => {
    if (!caps.search || query.trim().length < 2) {
      setHits([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api.search(query, { kind: kind || undefined, advisor: mine ? me : undefined }).then(
        (found) => {
          if (current) {
            setHits(found);
            setSearchError(null);
          }
        },
        (e: { message?: string }) => current && setSearchError(e.message ?? "Search failed."),
      );
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, caps.search, kind, mine, me]);

  const items = useMemo<Item[]>(() => {
    const commands: Item[] = [
      { key: "note-to", label: "Note to…", hint: "Quick capture", run: () => onCapture("note") },
      { key: "loop-for", label: "Loop for…", hint: "Quick capture", run: () => onCapture("loop") },
      { key: "record", label: "Record…", hint: "Quick capture", run: () => onCapture("record") },
      { key: "today", label: "Today", hint: "Command", run: () => onGo({ screen: "today" }) },
      { key: "new-household", label: "New household", hint: "Command", run: onNewHousehold },
      { key: "new-meeting", label: "New meeting", hint: "Command", run: () => onGo({ screen: "meeting" }) },
      { key: "settings", label: "Settings", hint: "Command", run: () => onGo({ screen: "settings" }) },
    ].filter((c) => !query || c.label.toLowerCase().includes(query.toLowerCase()));
    const found = filterHouseholds(households, query)
      .slice(0, 30)
      .map<Item>((h) => ({
        key: h.id,
        label: h.name,
        hint: [h.status, h.segment].filter(Boolean).join(" · "),
        run: () => onGo({ screen: "household", id: h.id }),
      }));
    const names = new Set(found.map((f) => f.key));
    const text = hits
      .filter((h) => !(h.kind === "household" && names.has(h.household_id)))
      .map<Item>((h) => ({
        key: `${h.household_id}:${h.kind}:${h.item_id}`,
        label: h.title,
        hint: `${h.kind} · ${households.find((x) => x.id === h.household_id)?.name ?? ""}`,
        snippet: h.snippet,
        run: () => onGo({ screen: "household", id: h.household_id, tab: TAB_OF[h.kind] }),
      }));
    return query ? [...found.slice(0, 8), ...text, ...commands] : [...commands, ...found];
  }, [households, query, hits, onGo, onNewHousehold, onCapture]);

  useEffect(() => setActive(0), [query]);

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-black/40" />
        <Dialog.Content data-testid="palette" className="fixed left-1/2 top-[12%] w-[min(640px,92vw)] -translate-x-1/2 overflow-hidden rounded-lg border border-line bg-panel text-ink shadow-2xl">
          <Dialog.Title className="sr-only">Search</Dialog.Title>
          <Dialog.Description className="sr-only">Type a household name or a command; Enter opens it.</Dialog.Description>
          <input
            autoFocus
            data-testid="palette-input"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown") {
                e.preventDefault();
                setActive((a) => Math.min(a + 1, items.length - 1));
              } else if (e.key === "ArrowUp") {
                e.preventDefault();
                setActive((a) => Math.max(a - 1, 0));
              } else if (e.key === "Enter" && items[active]) {
                e.preventDefault();
                items[active].run();
              }
            }}
            placeholder="Search households, or type a command…"
            className="w-full border-b border-line bg-transparent px-4 py-3 text-base outline-none"
            role="combobox"
            aria-expanded
            aria-controls="palette-results"
          />
          {caps.search && query.trim().length >= 2 && (
            <div className="flex flex-wrap items-center gap-1 border-b border-line px-3 py-1.5" role="group" aria-label="Search filters">
              {SEARCH_KINDS.map(([value, label]) => (
                <button
                  key={value}
                  data-testid={`search-kind-${value || "all"}`}
                  aria-pressed={kind === value}
                  onClick={() => setKind(value)}
                  className={cx("rounded-full px-2 py-0.5 text-xs", kind === value ? "bg-accent/15 font-semibold text-accent" : "text-muted hover:text-ink")}
                >
                  {label}
                </button>
              ))}
              <label className="ml-auto flex items-center gap-1 text-xs text-muted">
                <input type="checkbox" data-testid="search-mine" checked={mine} onChange={(e) => setMine(e.target.checked)} />
                Mine
              </label>
            </div>
          )}
          <ul id="palette-results" role="listbox" className="max-h-96 overflow-y-auto py-1">
            {items.map((item, i) => (
              <li
                key={item.key}
                role="option"
                aria-selected={i === active}
                data-testid="palette-item"
                onMouseEnter={() => setActive(i)}
                onClick={item.run}
                className={cx("flex cursor-default items-center justify-between px-4 py-2 text-sm", i === active && "bg-accent/12")}
              >
                <span className="min-w-0 flex-1">
                  <span className="block truncate">{item.label}</span>
                  {item.snippet && item.snippet.length > 0 && (
                    <span className="block truncate text-xs text-muted" data-testid="palette-snippet">
                      {item.snippet.map((part, j) =>
                        part.hit ? (
                          <mark key={j} className="rounded bg-accent/20 px-0.5 text-ink">
                            {part.text}
                          </mark>
                        ) : (
                          <span key={j}>{part.text}</span>
                        ),
                      )}
                    </span>
                  )}
                </span>
                <span className="ml-4 shrink-0 text-xs text-muted">{item.hint}</span>
              </li>
            ))}
            {items.length === 0 && <li className="px-4 py-6 text-center text-sm text-muted">Nothing matches “{query}”.</li>}
          </ul>
          <div className="border-t border-line px-4 py-2 text-[11px] text-muted">
            {searchError
              ? searchError
              : caps.search
              ? "Searching names, notes, open loops, facts, transcripts and documents."
              : "Searching household names. Full-text search of notes and transcripts is not in this build yet."}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

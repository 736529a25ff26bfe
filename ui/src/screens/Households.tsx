// Households: search-as-you-type, segment, status and archive filters, columns an advisor
// sorts by (AUM, last contact, next review, open loops), a virtualised list (fast with
// thousands), and the new-household dialog. An empty profile offers the Wealthbox/Redtail
// import.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import { api, type HouseholdSummary } from "../api";
import { dayOf, formatDay, relativeTime } from "../lib/dates";
import { toAppError, type AppError } from "../lib/errors";
import { filterHouseholds, initials, segmentsOf, sortHouseholds, type SegmentFilter, type SortKey } from "../lib/households";
import { formatMoney } from "../lib/money";
import { keysFor } from "../lib/shortcuts";
import { Badge, Button, cx, Empty, ErrorBanner, Field, Input, Kbd, Modal, Select, Spinner } from "../components/ui";
import { CsvImport } from "./CsvImport";

const STATUS_LABEL: Record<string, string> = { client: "client", prospect: "prospect", former_client: "former client" };

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: "aum", label: "AUM", className: "w-32 text-right" },
  { key: "last_contact", label: "Last meeting", className: "w-28 text-right" },
  { key: "next_review", label: "Next review", className: "w-28 text-right" },
  { key: "open_loops", label: "Loops", className: "w-14 text-right" },
];

export function Households({
  households,
  creating,
  setCreating,
  onOpen,
  onCreated,
}: {
  households: HouseholdSummary[] | null;
  creating: boolean;
  setCreating: (o: boolean) => void;
  onOpen: (id: string) => void;
  onCreated: (id: string) => Promise<void>;
}) {
  const [query, setQuery] = useState("");
  const [segment, setSegment] = useState<SegmentFilter>({ kind: "all" });
  const [status, setStatus] = useState<"all" | "client" | "prospect" | "former_client">("all");
  const [archived, setArchived] = useState(false);
  const [sort, setSort] = useState<SortKey>("name");
  const [importing, setImporting] = useState(false);
  const [active, setActive] = useState(0);
  const list = households ?? [];
  const segments = useMemo(() => segmentsOf(list), [list]);
  const shown = useMemo(() => sortHouseholds(filterHouseholds(list, query, segment, status, archived), sort), [list, query, segment, status, archived, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => 56, overscan: 12 });

  const move = (to: number) => {
    const next = Math.max(0, Math.min(shown.length - 1, to));
    setActive(next);
    rows.scrollToIndex(next);
  };

  return (
    <div className="flex h-full flex-col" data-testid="households-screen">
      <header className="flex items-center gap-3 border-b border-line bg-panel px-6 py-4">
        <h1 className="text-lg font-semibold">Households</h1>
        <span className="text-sm text-muted" data-testid="household-count">
          {households ? `${shown.length.toLocaleString()} of ${list.length.toLocaleString()}` : ""}
        </span>
        <div className="ml-auto flex gap-2">
          <Button data-testid="import-households" onClick={() => setImporting(true)}>
            Import…
          </Button>
          <Button data-testid="new-household" variant="primary" onClick={() => setCreating(true)}>
            New household <Kbd>{keysFor("newHousehold")}</Kbd>
          </Button>
        </div>
      </header>
      <div className="flex flex-wrap items-center gap-2 border-b border-line px-6 py-3">
        <Input
          data-list-search
          data-testid="household-search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              move(active + 1);
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              move(active - 1);
            } else if (e.key === "Enter" && shown[active]) {
              onOpen(shown[active].id);
            } else if (e.key === "Escape") {
              setQuery("");
            }
          }}
          placeholder="Filter by name…  ( / )"
          className="max-w-sm"
          aria-label="Filter households by name"
        />
        <Select
          aria-label="Segment"
          data-testid="segment-filter"
          className="w-44"
          value={segment.kind === "segment" ? `s:${segment.segment}` : segment.kind}
          onChange={(e) => {
            const v = e.target.value;
            setSegment(v === "all" ? { kind: "all" } : v === "none" ? { kind: "none" } : { kind: "segment", segment: v.slice(2) });
          }}
        >
          <option value="all">All segments</option>
          {segments.map((s) => (
            <option key={s} value={`s:${s}`}>
              Segment {s}
            </option>
          ))}
          <option value="none">No segment</option>
        </Select>
        <div className="flex rounded-md border border-line p-0.5" role="radiogroup" aria-label="Status">
          {(["all", "client", "prospect", "former_client"] as const).map((s) => (
            <button
              key={s}
              role="radio"
              aria-checked={status === s}
              onClick={() => setStatus(s)}
              className={cx("rounded px-2.5 py-1 text-xs capitalize", status === s ? "bg-sunken font-semibold" : "text-muted hover:text-ink")}
            >
              {s === "all" ? "All" : `${STATUS_LABEL[s]}s`}
            </button>
          ))}
        </div>
        <label className="flex items-center gap-1.5 text-xs text-muted">
          <input type="checkbox" data-testid="show-archived" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
          Archived
        </label>
      </div>
      <div className="flex items-center gap-3 border-b border-line px-6 py-1.5 text-[11px] uppercase tracking-wide text-muted" role="row">
        <button className={cx("flex-1 text-left", sort === "name" && "font-semibold text-ink")} data-testid="sort-name" onClick={() => setSort("name")}>
          Household
        </button>
        {COLUMNS.map((c) => (
          <button
            key={c.key}
            data-testid={`sort-${c.key.replace("_", "-")}`}
            aria-sort={sort === c.key ? "descending" : "none"}
            className={cx(c.className, sort === c.key && "font-semibold text-ink")}
            onClick={() => setSort(c.key)}
          >
            {c.label}
          </button>
        ))}
      </div>
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto" data-testid="household-list" role="listbox" aria-label="Households">
        {!households && (
          <div className="grid place-items-center py-12 text-muted">
            <Spinner />
          </div>
        )}
        {households && list.length === 0 && (
          <div className="mx-auto max-w-2xl space-y-3 p-6" data-testid="households-empty">
            <Empty>No households yet. Create the first one with “New household”, or bring your book over from Wealthbox or Redtail:</Empty>
            <CsvImport />
          </div>
        )}
        {households && list.length > 0 && shown.length === 0 && <Empty>No household matches these filters.</Empty>}
        <div style={{ height: rows.getTotalSize(), position: "relative" }}>
          {rows.getVirtualItems().map((row) => {
            const h = shown[row.index];
            return (
              <div
                key={h.id}
                role="option"
                aria-selected={row.index === active}
                data-testid="household-row"
                data-id={h.id}
                onClick={() => onOpen(h.id)}
                onMouseEnter={() => setActive(row.index)}
                className={cx(
                  "absolute left-0 right-0 flex cursor-default items-center gap-3 border-b border-line/60 px-6",
                  row.index === active ? "bg-accent/8" : "hover:bg-sunken",
                )}
                style={{ top: row.start, height: row.size }}
              >
                <span className="grid h-8 w-8 shrink-0 place-items-center rounded-full bg-sunken text-xs font-semibold text-muted">{initials(h.name)}</span>
                <span className="min-w-0 flex-1 truncate font-medium" title={`Changed ${relativeTime(h.updated_at)}`}>
                  {h.name}
                </span>
                {h.conflicts > 0 && (
                  <Badge tone="warn">
                    <span title="Fields two advisors set at the same time">{h.conflicts} to settle</span>
                  </Badge>
                )}
                {h.segment && <Badge tone="accent">{h.segment}</Badge>}
                <Badge tone={h.status === "client" ? "ok" : "neutral"}>{STATUS_LABEL[h.status] ?? h.status}</Badge>
                <span className="w-32 text-right text-sm tabular-nums" data-testid="row-aum">
                  {h.aum_total ? formatMoney(h.aum_total) : "—"}
                </span>
                <span className="w-28 text-right text-xs text-muted">{h.last_contact ? formatDay(dayOf(h.last_contact)) : "—"}</span>
                <span className="w-28 text-right text-xs text-muted">{formatDay(h.next_review)}</span>
                <span className="w-14 text-right text-xs tabular-nums">{h.open_loops || ""}</span>
              </div>
            );
          })}
        </div>
      </div>
      <NewHousehold open={creating} onOpenChange={setCreating} onCreated={onCreated} segments={segments} />
      <Modal open={importing} onOpenChange={setImporting} title="Import households" description="From a Wealthbox or Redtail contact export (CSV). You see what will be created before anything is written." testId="import-dialog">
        <CsvImport onDone={() => setImporting(false)} />
      </Modal>
    </div>
  );
}

function NewHousehold({ open, onOpenChange, onCreated, segments }: { open: boolean; onOpenChange: (o: boolean) => void; onCreated: (id: string) => Promise<void>; segments: string[] }) {
  const [name, setName] = useState("");
  const [status, setStatus] = useState("client");
  const [segment, setSegment] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const id = await api.createHousehold(name, status, segment || null);
      onOpenChange(false);
      setName("");
      setSegment("");
      await onCreated(id);
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} onOpenChange={onOpenChange} title="New household" description="A household groups the people, accounts and goals you advise together." testId="new-household-dialog">
      <form onSubmit={submit} className="space-y-4">
        <ErrorBanner error={error} />
        <Field label="Name">
          <Input data-testid="new-household-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="The Johnson Family" />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Status">
            <Select data-testid="new-household-status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="client">Client</option>
              <option value="prospect">Prospect</option>
              <option value="former_client">Former client</option>
            </Select>
          </Field>
          <Field label="Segment (optional)">
            <Input data-testid="new-household-segment" list="segments" value={segment} onChange={(e) => setSegment(e.target.value)} placeholder="A, B, Premier…" />
            <datalist id="segments">
              {segments.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          </Field>
        </div>
        <div className="flex justify-end gap-2">
          <Button type="button" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button data-testid="create-household" type="submit" variant="primary" busy={busy} disabled={!name.trim()}>
            Create
          </Button>
        </div>
      </form>
    </Modal>
  );
}

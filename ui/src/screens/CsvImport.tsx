// Moving in from Wealthbox or Redtail: choose the format and the contact export (CSV), see
// what would be created (households, members, tags), what is skipped (already here) and which
// rows could not be used, adjust which column holds what, then import.
import { useRef, useState } from "react";
import { api, type CsvImport as CsvOutcome, type ImportedHousehold, type PlannedHousehold } from "../api";
import { cache, householdsChanged, keys, useQuery } from "../lib/data";
import { toAppError, type AppError } from "../lib/errors";
import { columnField, csvColumns, fieldLabel, fieldOptions, learnDefaults, mappingOverrides, plural, statusLabel, warningText } from "../lib/settings";
import { Badge, Button, cx, ErrorBanner, Field, Select, Spinner } from "../components/ui";

type Format = "wealthbox" | "redtail";

/** Rows shown per table; the rest are counted. */
const SHOWN = 200;

export function CsvImport({ onDone }: { onDone?: () => void }) {
  const [format, setFormat] = useState<Format>("wealthbox");
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [preview, setPreview] = useState<CsvOutcome | null>(null);
  /** What the format maps each column to by itself, as far as previews have shown. */
  const [defaults, setDefaults] = useState<Record<string, string>>({});
  /** The advisor's choices, by column. */
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<"preview" | "import" | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [created, setCreated] = useState<ImportedHousehold[] | null>(null);
  const fields = useQuery("csv-fields", () => api.csvFields());
  /** Only the latest preview's answer is shown (mappings can change faster than it answers). */
  const run = useRef(0);

  const runPreview = async (f: File, fmt: Format, choice: Record<string, string>, known: Record<string, string>, cols: string[]) => {
    const id = ++run.current;
    const mapping = mappingOverrides(known, choice);
    setBusy("preview");
    setError(null);
    try {
      const outcome = await api.importCsv(f, fmt, mapping, false);
      if (id !== run.current) return;
      setPreview(outcome);
      setDefaults(learnDefaults(known, cols, outcome.plan.columns, mapping));
    } catch (e) {
      if (id !== run.current) return;
      setPreview(null);
      setError(toAppError(e));
    } finally {
      if (id === run.current) setBusy(null);
    }
  };

  const chooseFile = async (f: File) => {
    setFile(f);
    setCreated(null);
    setPreview(null);
    setChosen({});
    setDefaults({});
    let cols: string[] = [];
    try {
      cols = csvColumns(await f.slice(0, 256 * 1024).text());
    } catch {
      cols = [];
    }
    setColumns(cols);
    await runPreview(f, format, {}, {}, cols);
  };

  const changeFormat = (fmt: Format) => {
    setFormat(fmt);
    // Another format maps the columns differently: start from its own mapping.
    setChosen({});
    setDefaults({});
    if (file) void runPreview(file, fmt, {}, {}, columns);
  };

  const changeColumn = (column: string, field: string) => {
    const next = { ...chosen, [column]: field };
    setChosen(next);
    if (file) void runPreview(file, format, next, defaults, columns);
  };

  const runImport = async () => {
    if (!file) return;
    const id = ++run.current;
    setBusy("import");
    setError(null);
    try {
      const outcome = await api.importCsv(file, format, mappingOverrides(defaults, chosen), true);
      setPreview(outcome);
      setCreated(outcome.created);
      householdsChanged([]);
      cache.invalidate(keys.settings);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      if (id === run.current) setBusy(null);
    }
  };

  const reset = () => {
    run.current += 1;
    setFile(null);
    setColumns([]);
    setPreview(null);
    setChosen({});
    setDefaults({});
    setCreated(null);
    setError(null);
    setBusy(null);
  };

  const plan = preview?.plan ?? null;
  const toCreate = plan?.households.filter((h) => !h.exists) ?? [];
  const skipped = plan?.households.filter((h) => h.exists) ?? [];
  const options = fieldOptions(preview?.fields.length ? preview.fields : (fields.data ?? []));
  const shownColumns = columns.length > 0 ? columns : Object.keys(plan?.columns ?? {});

  if (created) {
    return (
      <div className="space-y-3" data-testid="csv-import">
        <p className="text-sm font-medium text-ok" data-testid="csv-result" role="status">
          Created {plural(created.length, "household")}
          {skipped.length > 0 && <span className="font-normal text-muted"> · skipped {plural(skipped.length, "household")} already here</span>}
        </p>
        {created.length > 0 && (
          <ul className="max-h-48 space-y-0.5 overflow-y-auto rounded-md border border-line px-3 py-2 text-sm" data-selectable>
            {created.slice(0, SHOWN).map((h) => (
              <li key={h.id}>
                {h.name} <span className="text-xs text-muted">· {plural(h.members, "member")}</span>
              </li>
            ))}
            {created.length > SHOWN && <li className="text-xs text-muted">and {(created.length - SHOWN).toLocaleString()} more</li>}
          </ul>
        )}
        <div className="flex justify-end gap-2">
          <Button data-testid="csv-again" variant="ghost" onClick={reset}>
            Import another file
          </Button>
          {onDone && (
            <Button data-testid="csv-done" variant="primary" onClick={onDone}>
              Done
            </Button>
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="space-y-3" data-testid="csv-import">
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Exported from">
          <Select data-testid="csv-format" value={format} onChange={(e) => changeFormat(e.target.value as Format)} className="block w-40" disabled={busy === "import"}>
            <option value="wealthbox">Wealthbox</option>
            <option value="redtail">Redtail</option>
          </Select>
        </Field>
        <label className={cx("inline-flex cursor-pointer items-center gap-2 rounded-md border border-line px-3 py-1.5 text-sm font-medium hover:bg-sunken", busy && "opacity-50")}>
          {busy === "preview" && <Spinner />}
          {file ? "Choose another file…" : "Choose the contact export (.csv)…"}
          <input
            type="file"
            accept=".csv,text/csv"
            className="sr-only"
            data-testid="csv-file"
            disabled={busy === "import"}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = "";
              if (f) void chooseFile(f);
            }}
          />
        </label>
        {file && (
          <span className="truncate pb-2 text-xs text-muted" data-testid="csv-file-name">
            {file.name}
          </span>
        )}
      </div>
      {!file && <p className="text-xs text-muted">Export your contacts from {format === "wealthbox" ? "Wealthbox" : "Redtail"} as CSV. Nothing is written until you import; households already here are skipped, so the same file never adds anyone twice.</p>}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {file && !plan && error && shownColumns.length > 0 && <p className="text-xs text-muted">If the names were not found, choose below which columns hold them.</p>}

      {plan && (
        <div className="space-y-3" data-testid="csv-preview" aria-busy={busy === "preview"}>
          <p className="text-sm">
            <span className="font-medium" data-testid="csv-create-count">
              {plural(toCreate.length, "household")} to create
            </span>
            {skipped.length > 0 && <span className="text-muted"> · {plural(skipped.length, "household")} already here, skipped</span>}
            {plan.warnings.length > 0 && <span className="text-warn"> · {plural(plan.warnings.length, "row")} with problems</span>}
          </p>
          {toCreate.length > 0 && <HouseholdTable households={toCreate} testId="csv-create" />}
          {skipped.length > 0 && (
            <details className="text-sm" data-testid="csv-skipped">
              <summary className="cursor-pointer select-none text-muted">Already here, skipped ({skipped.length.toLocaleString()})</summary>
              <div className="mt-2">
                <HouseholdTable households={skipped} testId="csv-skip" />
              </div>
            </details>
          )}
          {plan.warnings.length > 0 && (
            <div className="rounded-md border border-warn/40 bg-warn/10 px-3 py-2" data-testid="csv-warnings">
              <p className="mb-1 text-xs font-semibold text-warn">Rows that could not be used as they are</p>
              <ul className="max-h-32 space-y-0.5 overflow-y-auto text-xs" data-selectable>
                {plan.warnings.slice(0, SHOWN).map((w, i) => (
                  <li key={i} data-testid="csv-warning">
                    {warningText(w)}
                  </li>
                ))}
                {plan.warnings.length > SHOWN && <li className="text-muted">and {(plan.warnings.length - SHOWN).toLocaleString()} more</li>}
              </ul>
            </div>
          )}
        </div>
      )}

      {file && shownColumns.length > 0 && (
        <section className="rounded-md border border-line text-sm" data-testid="csv-mapping">
          <header className="flex items-baseline justify-between gap-3 border-b border-line px-3 py-2">
            <h3 className="font-medium">Which column holds what</h3>
            <span className="text-xs text-muted">Change one and the preview follows.</span>
          </header>
          <div className="grid max-h-72 grid-cols-[minmax(0,1fr)_minmax(0,1fr)] items-center gap-x-3 gap-y-1.5 overflow-y-auto px-3 py-2">
            {shownColumns.map((column) => {
              const value = columnField(column, chosen, defaults, plan?.columns ?? null);
              return (
                <label key={column} className="contents">
                  <span className={cx("truncate text-sm", value === "ignore" && "text-muted")} title={column}>
                    {column}
                  </span>
                  <Select data-testid={`csv-map-${column}`} value={value} disabled={busy === "import"} onChange={(e) => changeColumn(column, e.target.value)} aria-label={`Column ${column}`}>
                    {(options.includes(value) ? options : [...options, value]).map((f) => (
                      <option key={f} value={f}>
                        {fieldLabel(f)}
                      </option>
                    ))}
                  </Select>
                </label>
              );
            })}
          </div>
        </section>
      )}

      {file && (
        <div className="flex justify-end gap-2">
          {onDone && (
            <Button variant="ghost" onClick={onDone} disabled={busy === "import"}>
              Cancel
            </Button>
          )}
          <Button data-testid="csv-import-run" variant="primary" busy={busy === "import"} disabled={!plan || busy === "preview" || toCreate.length === 0} onClick={() => void runImport()}>
            Import {plural(toCreate.length, "household")}
          </Button>
        </div>
      )}
    </div>
  );
}

function HouseholdTable({ households, testId }: { households: PlannedHousehold[]; testId: string }) {
  return (
    <div className="max-h-64 overflow-y-auto rounded-md border border-line">
      <table className="w-full text-left text-sm" data-testid={testId}>
        <thead className="sticky top-0 bg-sunken text-xs text-muted">
          <tr>
            <th className="px-3 py-1.5 font-medium">Household</th>
            <th className="px-3 py-1.5 font-medium">Members</th>
            <th className="px-3 py-1.5 font-medium">Tags</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line" data-selectable>
          {households.slice(0, SHOWN).map((h) => (
            <tr key={h.name} data-testid={`${testId}-row`} className="align-top">
              <td className="px-3 py-1.5">
                <div className="font-medium">{h.name}</div>
                <div className="text-xs text-muted">{statusLabel(h.status)}</div>
              </td>
              <td className="px-3 py-1.5">
                {h.members.map((m, i) => (
                  <div key={i}>
                    {m.name} <span className="text-xs text-muted">· {m.role.toLowerCase()}</span>
                  </div>
                ))}
              </td>
              <td className="px-3 py-1.5">
                <div className="flex flex-wrap gap-1">
                  {h.tags.map((t) => (
                    <Badge key={t}>{t}</Badge>
                  ))}
                </div>
              </td>
            </tr>
          ))}
          {households.length > SHOWN && (
            <tr>
              <td colSpan={3} className="px-3 py-1.5 text-xs text-muted">
                and {(households.length - SHOWN).toLocaleString()} more
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

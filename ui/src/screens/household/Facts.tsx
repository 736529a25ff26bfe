// Client facts: the current ones (retired ones kept for the record, behind "Show retired"),
// each value editable in place, retire, add.
import { useState } from "react";
import { api, type ClientFact } from "../../api";
import { dateTime } from "../../lib/dates";
import { Button, Card, cx, Empty, ErrorBanner, Input } from "../../components/ui";
import { ConfirmButton, InlineForm, RowButton, useEdit, useHousehold } from "./shared";

export function FactsCard() {
  const { id, view } = useHousehold();
  const add = useEdit();
  const [showRetired, setShowRetired] = useState(false);
  const all = Object.entries(view.data.facts).sort(([, a], [, b]) => (b.recorded_at ?? 0) - (a.recorded_at ?? 0));
  const current = all.filter(([, f]) => f.retired_at === null);
  const retired = all.filter(([, f]) => f.retired_at !== null);
  return (
    <Card
      title="Client facts"
      testId="facts-card"
      actions={
        retired.length > 0 && (
          <label className="flex items-center gap-1.5 text-xs text-muted">
            <input type="checkbox" data-testid="facts-show-retired" checked={showRetired} onChange={(e) => setShowRetired(e.target.checked)} /> Show retired ({retired.length})
          </label>
        )
      }
    >
      {current.length === 0 && <Empty>{retired.length ? "No current facts." : "No facts yet. Facts accepted from meetings appear here."}</Empty>}
      <ul className="divide-y divide-line">
        {current.map(([fid, f]) => (
          <FactRow key={fid} factId={fid} fact={f} />
        ))}
        {showRetired &&
          retired.map(([fid, f]) => (
            <FactRow key={fid} factId={fid} fact={f} />
          ))}
      </ul>
      <InlineForm
        label="Add fact"
        submitLabel="Add fact"
        testId="add-fact"
        fields={[
          { name: "key", label: "About", placeholder: "risk_tolerance" },
          { name: "value", label: "Value", placeholder: "moderate" },
        ]}
        error={add.error}
        onSubmit={async (v) => {
          const key = (v.key ?? "").trim();
          const value = (v.value ?? "").trim();
          if (!key || !value) {
            add.refuse("A fact needs what it is about and its value.");
            return false;
          }
          return add.run(() => api.addFact(id, key, value));
        }}
      />
    </Card>
  );
}

function FactRow({ factId, fact: f }: { factId: string; fact: ClientFact }) {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState("");
  const retired = f.retired_at !== null;
  return (
    <li className={cx("py-2 text-sm", retired && "opacity-60")} data-testid={retired ? "fact-retired" : "fact"} data-fact-id={factId}>
      <div className="flex items-center gap-2">
        <span className="font-medium">{f.key.replaceAll("_", " ")}</span>
        <span className="text-xs text-muted">
          {f.source.startsWith("meeting:") ? "from a meeting" : f.source}
          {f.recorded_at ? ` · ${dateTime(f.recorded_at)}` : ""}
          {retired && f.retired_at ? ` · retired ${dateTime(f.retired_at)}` : ""}
        </span>
        {!retired && !editing && (
          <span className="ml-auto flex gap-0.5">
            <RowButton
              data-testid="fact-edit"
              disabled={readOnly}
              onClick={() => {
                edit.clear();
                setValue(f.value);
                setEditing(true);
              }}
            >
              Edit
            </RowButton>
            <ConfirmButton label="Retire" question="No longer true?" testId="fact-retire" disabled={readOnly} busy={edit.busy} onConfirm={() => edit.run(() => api.retireFact(id, factId))} />
          </span>
        )}
      </div>
      {editing ? (
        <form
          className="mt-1 flex gap-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const next = value.trim();
            if (!next) return edit.refuse("A fact needs a value; retire it if it is no longer true.");
            if (next === f.value || (await edit.run(() => api.updateFact(id, factId, { value: next })))) setEditing(false);
          }}
        >
          <Input autoFocus data-testid="fact-value" aria-label={`Value of ${f.key}`} value={value} onChange={(e) => setValue(e.target.value)} onKeyDown={(e) => e.key === "Escape" && setEditing(false)} />
          <Button type="submit" variant="primary" busy={edit.busy} data-testid="fact-save">
            Save
          </Button>
          <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        <div className={cx("text-muted", retired && "line-through")} data-selectable>
          {f.value}
        </div>
      )}
      {edit.error && (
        <div className="mt-1">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </li>
  );
}

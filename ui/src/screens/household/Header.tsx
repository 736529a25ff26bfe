// The household's header: name, status, segment, tags and mailing address, each edited on its
// own (one change per save), the AUM total, and what to do next (brief, share, meeting, archive).
import { useState } from "react";
import { api } from "../../api";
import { addressForm, checkAddress, formatAddress, splitTags, STATUS_LABELS } from "../../lib/household";
import { formatMoney } from "../../lib/money";
import { Badge, Button, ErrorBanner, Input, Select } from "../../components/ui";
import { FormDialog, useEdit, useHousehold, type FieldSpec } from "./shared";

export function Header({ aum, onBack, onBrief, onShare, onMeeting }: { aum: string; onBack: () => void; onBrief: () => void; onShare: () => void; onMeeting: () => void }) {
  const { id, view, readOnly } = useHousehold();
  const d = view.data;
  const edit = useEdit();
  return (
    <div>
      <button onClick={onBack} className="mb-1 text-xs text-muted hover:text-ink">
        ← Households
      </button>
      <div className="flex flex-wrap items-center gap-3">
        <NameEditor run={edit.run} refuse={edit.refuse} />
        <Select
          aria-label="Status"
          data-testid="status-select"
          className="h-7 w-36 py-0 text-xs disabled:opacity-60"
          value={d.status}
          disabled={readOnly || edit.busy}
          onChange={(e) => void edit.run(() => api.updateHousehold(id, { status: e.target.value as typeof d.status }))}
        >
          {Object.entries(STATUS_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
        <ChipEditor label="Segment" testid="segment" value={d.segment} disabled={readOnly} onSave={(segment) => edit.run(() => api.updateHousehold(id, { segment }))} />
        <ChipEditor
          label="Client reference"
          testid="client-ref"
          value={d.client_ref ?? null}
          disabled={readOnly}
          title="The firm's own number for this client (CRM, custodian): what your firm's admins see in the relay's console instead of the name"
          onSave={(client_ref) => edit.run(() => api.updateHousehold(id, { client_ref }))}
        />
        {readOnly && <Badge tone="warn">Archived</Badge>}
        <div className="ml-auto flex items-center gap-2">
          <div className="mr-4 text-right">
            <div className="text-[11px] uppercase tracking-wide text-muted">Assets under management</div>
            <div className="text-lg font-semibold tabular-nums" data-testid="aum-total">
              {formatMoney(aum)}
            </div>
          </div>
          <Button onClick={onBrief} data-testid="open-brief">
            Brief
          </Button>
          <Button onClick={onShare} data-testid="share">
            Share
          </Button>
          {!readOnly && (
            <Button variant="ghost" data-testid="archive" busy={edit.busy} onClick={() => void edit.run(() => api.setArchived(id, true))} title="Archive: out of lists and Today, kept read-only">
              Archive
            </Button>
          )}
          <Button variant="primary" onClick={onMeeting} data-testid="household-new-meeting" disabled={readOnly}>
            New meeting
          </Button>
        </div>
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
        <Tags tags={d.tags} run={edit.run} />
        <Address />
      </div>
      {edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </div>
  );
}

type Run = ReturnType<typeof useEdit>["run"];

function NameEditor({ run, refuse }: { run: Run; refuse: (m: string) => void }) {
  const { id, view, readOnly } = useHousehold();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState("");
  if (!editing)
    return (
      <div className="group flex items-center gap-1">
        <h1 className="text-xl font-semibold" data-testid="household-name" data-selectable>
          {view.data.name}
        </h1>
        {!readOnly && (
          <button
            data-testid="rename"
            className="rounded px-1 text-xs text-muted opacity-60 hover:bg-sunken hover:text-ink group-hover:opacity-100"
            onClick={() => {
              setValue(view.data.name);
              setEditing(true);
            }}
          >
            Rename
          </button>
        )}
      </div>
    );
  return (
    <form
      className="flex items-center gap-1"
      onSubmit={async (e) => {
        e.preventDefault();
        const name = value.trim();
        if (!name) return refuse("A household needs a name.");
        if (name === view.data.name || (await run(() => api.updateHousehold(id, { name })))) setEditing(false);
      }}
    >
      <Input autoFocus data-testid="name-input" aria-label="Household name" value={value} onChange={(e) => setValue(e.target.value)} className="w-72 text-base font-semibold" onKeyDown={(e) => e.key === "Escape" && setEditing(false)} />
      <Button type="submit" data-testid="name-save" variant="primary">
        Save
      </Button>
      <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
        Cancel
      </Button>
    </form>
  );
}

/** A short optional text shown as a chip (segment, client reference), edited in place. */
function ChipEditor({ label, testid, value, disabled, title, onSave }: { label: string; testid: string; value: string | null; disabled: boolean; title?: string; onSave: (s: string | null) => Promise<boolean> }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  if (!editing)
    return (
      <button
        disabled={disabled}
        title={title}
        onClick={() => {
          setText(value ?? "");
          setEditing(true);
        }}
        className="rounded-full border border-dashed border-line px-2 py-0.5 text-xs text-muted hover:text-ink disabled:cursor-default disabled:hover:text-muted"
        data-testid={testid}
      >
        {value ? `${label} ${value}` : `Add ${label.toLowerCase()}`}
      </button>
    );
  return (
    <form
      className="flex gap-1"
      onSubmit={async (e) => {
        e.preventDefault();
        const next = text.trim() || null;
        if (next === value || (await onSave(next))) setEditing(false);
      }}
    >
      <Input autoFocus data-testid={`${testid}-input`} aria-label={label} placeholder="empty: none" value={text} onChange={(e) => setText(e.target.value)} className="h-7 w-28 py-0 text-xs" onKeyDown={(e) => e.key === "Escape" && setEditing(false)} />
      <Button type="submit" className="h-7 py-0 text-xs" data-testid={`${testid}-save`}>
        Save
      </Button>
    </form>
  );
}

function Tags({ tags, run }: { tags: string[]; run: Run }) {
  const { id, readOnly } = useHousehold();
  const [adding, setAdding] = useState(false);
  const [text, setText] = useState("");
  return (
    <div className="flex flex-wrap items-center gap-1" data-testid="tags">
      {tags.map((t) => (
        <span key={t} data-testid="tag" className="inline-flex items-center gap-1 rounded-full bg-sunken px-2 py-0.5 text-muted">
          {t}
          {!readOnly && (
            <button data-testid="tag-remove" aria-label={`Remove tag ${t}`} className="hover:text-danger" onClick={() => void run(() => api.updateHousehold(id, { remove_tags: [t] }))}>
              ×
            </button>
          )}
        </span>
      ))}
      {adding ? (
        <form
          className="flex gap-1"
          onSubmit={async (e) => {
            e.preventDefault();
            const add = splitTags(text);
            if (add.length === 0 || (await run(() => api.updateHousehold(id, { add_tags: add })))) {
              setText("");
              setAdding(false);
            }
          }}
        >
          <Input autoFocus data-testid="tag-input" aria-label="New tags, comma-separated" placeholder="estate, 529" value={text} onChange={(e) => setText(e.target.value)} className="h-6 w-36 py-0 text-xs" onKeyDown={(e) => e.key === "Escape" && setAdding(false)} />
          <Button type="submit" className="h-6 py-0 text-xs" data-testid="tag-add">
            Add tag
          </Button>
        </form>
      ) : (
        !readOnly && (
          <button data-testid="tag-new" className="rounded-full border border-dashed border-line px-2 py-0.5 text-muted hover:text-ink" onClick={() => setAdding(true)}>
            + Tag
          </button>
        )
      )}
    </div>
  );
}

const ADDRESS_FIELDS: FieldSpec[] = [
  { name: "line1", label: "Street", placeholder: "12 Oak Street", wide: true },
  { name: "line2", label: "Apartment, suite", wide: true },
  { name: "city", label: "City", placeholder: "Springfield" },
  { name: "region", label: "State or region", placeholder: "IL" },
  { name: "postal_code", label: "ZIP or postal code", placeholder: "62701" },
  { name: "country", label: "Country", placeholder: "US" },
];

function Address() {
  const { id, view, readOnly } = useHousehold();
  const edit = useEdit();
  const [open, setOpen] = useState(false);
  const address = view.data.address;
  return (
    <div className="flex items-center gap-1 text-muted">
      <span data-testid="address" data-selectable>
        {address ? formatAddress(address) : "No mailing address"}
      </span>
      {!readOnly && (
        <button
          data-testid="edit-address"
          className="rounded px-1 hover:bg-sunken hover:text-ink"
          onClick={() => {
            edit.clear();
            setOpen(true);
          }}
        >
          {address ? "Edit" : "Add address"}
        </button>
      )}
      <FormDialog
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (!o) edit.clear();
        }}
        title="Mailing address"
        testId="address-dialog"
        fields={ADDRESS_FIELDS}
        initial={addressForm(address)}
        error={edit.error}
        busy={edit.busy}
        onSave={async (v) => {
          const next = edit.checked(checkAddress(v as ReturnType<typeof addressForm>));
          if (next === undefined) return false;
          if (formatAddress(next) === formatAddress(address)) return true;
          return edit.run(() => api.updateHousehold(id, { address: next }));
        }}
      />
    </div>
  );
}

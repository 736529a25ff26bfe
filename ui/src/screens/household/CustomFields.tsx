// Custom fields: the household's template (a small JSON Schema) rendered as a form, checked
// here with a message naming the field, and saved field by field. Without a template, one of
// the built-in ones can be applied.
import { useState } from "react";
import { api, type Template } from "../../api";
import { keys, useQuery } from "../../lib/data";
import { toAppError } from "../../lib/errors";
import { checkCustom, customInput, fieldLabel, schemaFields, type CustomField } from "../../lib/household";
import { Button, Card, ErrorBanner, Field, Input, Select, Spinner } from "../../components/ui";
import { useEdit, useHousehold } from "./shared";

export function CustomFieldsCard() {
  const { view } = useHousehold();
  const template = view.data.template;
  return (
    <Card title={template ? `Custom fields · ${fieldLabel(template.name)}` : "Custom fields"} testId="custom-card">
      {template ? <TemplateForm template={template} /> : <ApplyTemplate />}
    </Card>
  );
}

function TemplateForm({ template }: { template: Template }) {
  const { id, view, readOnly } = useHousehold();
  const edit = useEdit();
  // Only what the advisor changed; everything else shows the stored value (which a sync may
  // change meanwhile).
  const [drafts, setDrafts] = useState<Record<string, string | boolean>>({});
  const parsed = schemaFields(template.schema);
  if (!parsed.ok) return <ErrorBanner error={{ kind: "invalid", message: parsed.message }} />;
  const fields = parsed.value;
  const stored = (f: CustomField) => customInput(f, view.data.custom[f.name]);
  const shown = (f: CustomField) => (f.name in drafts ? drafts[f.name] : stored(f));
  const dirty = fields.filter((f) => f.name in drafts && drafts[f.name] !== stored(f));
  const set = (name: string, value: string | boolean) => setDrafts((d) => ({ ...d, [name]: value }));

  const save = async () => {
    const values: [CustomField, string | number | boolean][] = [];
    for (const f of dirty) {
      const c = edit.checked(checkCustom(f, drafts[f.name]));
      if (c === undefined) return;
      values.push([f, c]);
    }
    for (const [f, value] of values) {
      if (!(await edit.run(() => api.setCustom(id, f.name, value)))) return;
      setDrafts((d) => {
        const rest = { ...d };
        delete rest[f.name];
        return rest;
      });
    }
  };

  return (
    <form
      className="space-y-3"
      // Checked here, with a message naming the field (not the browser's tooltip).
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="grid grid-cols-2 gap-2">
        {fields.map((f) => {
          const value = shown(f);
          const common = { "data-testid": `custom-field-${f.name}`, disabled: readOnly, "aria-label": f.label };
          if (f.input === "checkbox")
            return (
              <label key={f.name} className="flex items-center gap-2 self-end py-1.5 text-sm">
                <input type="checkbox" {...common} checked={value === true} onChange={(e) => set(f.name, e.target.checked)} />
                {f.label}
              </label>
            );
          return (
            <Field key={f.name} label={f.label} hint={range(f)}>
              {f.input === "select" ? (
                <Select {...common} value={String(value)} onChange={(e) => set(f.name, e.target.value)}>
                  {String(value) === "" && <option value="">—</option>}
                  {(f.options ?? []).map((o) => (
                    <option key={o} value={o}>
                      {o.replaceAll("_", " ")}
                    </option>
                  ))}
                </Select>
              ) : (
                <Input
                  {...common}
                  type={f.input === "date" ? "date" : f.input === "number" ? "number" : "text"}
                  step={f.type === "integer" ? 1 : "any"}
                  min={f.min}
                  max={f.max}
                  value={String(value)}
                  onChange={(e) => set(f.name, e.target.value)}
                />
              )}
            </Field>
          );
        })}
      </div>
      <ErrorBanner error={edit.error} onDismiss={edit.clear} />
      <div className="flex items-center justify-end gap-2">
        {dirty.length > 0 && <span className="text-xs text-muted">{dirty.length === 1 ? "1 field changed" : `${dirty.length} fields changed`}</span>}
        {dirty.length > 0 && (
          <Button type="button" variant="ghost" onClick={() => setDrafts({})}>
            Discard
          </Button>
        )}
        <Button type="submit" variant="primary" data-testid="custom-save" busy={edit.busy} disabled={readOnly || dirty.length === 0}>
          Save
        </Button>
      </div>
    </form>
  );
}

function range(f: CustomField): string | undefined {
  if (f.min !== undefined && f.max !== undefined) return `${f.min}–${f.max}`;
  if (f.min !== undefined) return `at least ${f.min}`;
  if (f.max !== undefined) return `at most ${f.max}`;
  return undefined;
}

function ApplyTemplate() {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  const templates = useQuery(keys.templates, () => api.templates());
  const [name, setName] = useState("");
  const list = templates.data ?? [];
  const chosen = name || list[0]?.name || "";
  if (templates.loading && !templates.data) return <Spinner />;
  return (
    <div className="space-y-2">
      <p className="text-sm text-muted">No template yet. A template adds fields your firm tracks for every household (risk tolerance, IPS date, policy numbers…).</p>
      <ErrorBanner error={templates.error ? toAppError(templates.error) : null} />
      <div className="flex gap-2" data-testid="template-apply">
        <Select data-testid="template-select" aria-label="Template" value={chosen} onChange={(e) => setName(e.target.value)} className="w-56" disabled={readOnly || list.length === 0}>
          {list.map((t) => (
            <option key={t.name} value={t.name}>
              {fieldLabel(t.name)}
            </option>
          ))}
        </Select>
        <Button data-testid="template-apply-button" variant="primary" busy={edit.busy} disabled={readOnly || !chosen} onClick={() => void edit.run(() => api.applyTemplate(id, chosen))}>
          Apply
        </Button>
      </div>
      <ErrorBanner error={edit.error} onDismiss={edit.clear} />
    </div>
  );
}

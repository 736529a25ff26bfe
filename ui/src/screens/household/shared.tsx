// What every part of the household page shares: the household in context, edits that keep
// their own error next to where they were made, inline add forms, edit dialogs and confirms.
import { createContext, useContext, useEffect, useState, type ComponentProps, type ReactNode } from "react";
import type { HouseholdView } from "../../api";
import { applyEdit } from "../../lib/data";
import { toAppError, type AppError } from "../../lib/errors";
import type { Checked } from "../../lib/household";
import { Button, cx, ErrorBanner, Field, Input, Modal, Select } from "../../components/ui";

export type HouseholdCtx = {
  id: string;
  view: HouseholdView;
  /** The advisor using this desk. */
  me: string;
  /** Archived: shown, not editable. */
  readOnly: boolean;
};

export const HouseholdContext = createContext<HouseholdCtx | null>(null);

export function useHousehold(): HouseholdCtx {
  const ctx = useContext(HouseholdContext);
  if (!ctx) throw new Error("useHousehold outside the household page");
  return ctx;
}

/** Edits of this household: each answers with the fresh view, which goes into the cache. A
 * failure (or a check that failed before calling) is kept for a banner where the advisor is. */
export function useEdit() {
  const { id } = useHousehold();
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  /** Runs `edit`; true when it went through. */
  const run = async (edit: () => Promise<HouseholdView>): Promise<boolean> => {
    setBusy(true);
    try {
      await applyEdit(id, edit());
      setError(null);
      return true;
    } catch (e) {
      setError(toAppError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  /** Shows a check's message (as the shell would: "invalid"). */
  const refuse = (message: string) => setError({ kind: "invalid", message });
  /** The value of a check, or undefined after showing its message. */
  const checked = <T,>(c: Checked<T>): T | undefined => {
    if (c.ok) return c.value;
    refuse(c.message);
    return undefined;
  };
  return { run, error, busy, refuse, checked, clear: () => setError(null) };
}

export type FieldSpec = {
  name: string;
  label: string;
  placeholder?: string;
  type?: "text" | "date" | "email" | "tel" | "time";
  /** A select: [value, label] pairs. */
  options?: [string, string][];
  hint?: string;
  /** Spans both columns. */
  wide?: boolean;
};

/** Inputs for `fields`, two columns. */
export function FormFields({ fields, values, onChange, testPrefix, autoFocus = true }: { fields: FieldSpec[]; values: Record<string, string>; onChange: (v: Record<string, string>) => void; testPrefix?: string; autoFocus?: boolean }) {
  return (
    <div className="grid grid-cols-2 gap-2">
      {fields.map((f, i) => (
        <div key={f.name} className={cx(f.wide && "col-span-2")}>
          <Field label={f.label} hint={f.hint}>
            {f.options ? (
              <Select data-testid={testPrefix && `${testPrefix}-${f.name}`} value={values[f.name] ?? ""} onChange={(e) => onChange({ ...values, [f.name]: e.target.value })}>
                {f.options.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </Select>
            ) : (
              <Input
                data-testid={testPrefix && `${testPrefix}-${f.name}`}
                autoFocus={autoFocus && i === 0}
                type={f.type ?? "text"}
                placeholder={f.placeholder}
                value={values[f.name] ?? ""}
                onChange={(e) => onChange({ ...values, [f.name]: e.target.value })}
              />
            )}
          </Field>
        </div>
      ))}
    </div>
  );
}

/** "+ Add …" revealing a small form; it closes only when the add went through, so a refused
 * add keeps what was typed next to its message. */
export function InlineForm({
  label,
  fields,
  initial,
  submitLabel = "Add",
  testId,
  error,
  onSubmit,
}: {
  label: string;
  fields: FieldSpec[];
  initial?: () => Record<string, string>;
  submitLabel?: string;
  testId?: string;
  error: AppError | null;
  onSubmit: (v: Record<string, string>) => Promise<boolean>;
}) {
  const { readOnly } = useHousehold();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <Button
        variant="ghost"
        className="mt-2 -ml-2"
        data-testid={testId}
        disabled={readOnly}
        onClick={() => {
          setValues(initial?.() ?? {});
          setOpen(true);
        }}
      >
        + {label}
      </Button>
    );
  return (
    <form
      className="mt-3 space-y-2 rounded-md bg-sunken p-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const done = await onSubmit(values);
        setBusy(false);
        if (done) setOpen(false);
      }}
      onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
    >
      <FormFields fields={fields} values={values} onChange={setValues} testPrefix={testId} />
      <ErrorBanner error={error} />
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={busy} data-testid={testId && `${testId}-submit`}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** An edit dialog: the form starts from `initial` each time it opens and closes once saved. */
export function FormDialog({
  open,
  onOpenChange,
  title,
  fields,
  initial,
  error,
  busy,
  testId,
  onSave,
  children,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  title: string;
  fields: FieldSpec[];
  initial: Record<string, string>;
  error: AppError | null;
  busy: boolean;
  testId: string;
  onSave: (values: Record<string, string>) => Promise<boolean>;
  children?: ReactNode;
}) {
  const [values, setValues] = useState(initial);
  // A fresh form each time it opens (not while open: a sync must not wipe what is typed).
  useEffect(() => {
    if (open) setValues(initial);
  }, [open]);
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={title} testId={testId}>
      <form
        className="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await onSave(values)) onOpenChange(false);
        }}
      >
        <FormFields fields={fields} values={values} onChange={setValues} testPrefix={testId} />
        {children}
        <ErrorBanner error={error} />
        <div className="flex justify-end gap-2">
          <Button type="button" variant="ghost" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy} data-testid={`${testId}-save`}>
            Save
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** A small row action. */
export function RowButton({ className, ...rest }: ComponentProps<typeof Button>) {
  return <Button variant="ghost" className={cx("px-2 py-0.5 text-xs", className)} {...rest} />;
}

/** A destructive action that asks first, in place: "Remove Linda? [Remove] [Keep]". The
 * confirming button's test id is `<testId>-confirm`. */
export function ConfirmButton({ label, question, confirmLabel, testId, disabled, busy, onConfirm }: { label: string; question: string; confirmLabel?: string; testId: string; disabled?: boolean; busy?: boolean; onConfirm: () => Promise<boolean> | void }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <RowButton data-testid={testId} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </RowButton>
    );
  return (
    <span className="inline-flex items-center gap-1 text-xs" role="group" aria-label={question}>
      <span className="text-danger">{question}</span>
      <Button
        variant="danger"
        className="px-2 py-0.5 text-xs"
        data-testid={`${testId}-confirm`}
        busy={busy}
        autoFocus
        onClick={async () => {
          const done = await onConfirm();
          if (done !== false) setAsking(false);
        }}
      >
        {confirmLabel ?? label}
      </Button>
      <RowButton onClick={() => setAsking(false)} onKeyDown={(e) => e.key === "Escape" && setAsking(false)}>
        Keep
      </RowButton>
    </span>
  );
}

export const ROLE_OPTIONS: [string, string][] = ["Head", "Spouse", "Partner", "Child", "Dependent", "Other"].map((r) => [r, r]);

/** Owner choices: nobody, or a member (a removed owner stays visible as such). */
export function ownerOptions(members: Record<string, { name: string }>, current: string | null): [string, string][] {
  const options: [string, string][] = [["", "No owner"], ...Object.entries(members).map(([mid, m]): [string, string] => [mid, m.name])];
  if (current && !members[current]) options.push([current, "(removed member)"]);
  return options;
}

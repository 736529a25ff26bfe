// Fields two advisors set at the same time: one sentence each, and one button per value to
// keep it (writing it again supersedes every concurrent value).
import { api } from "../../api";
import { describeConflict } from "../../lib/household";
import { Button, ErrorBanner } from "../../components/ui";
import { useEdit, useHousehold } from "./shared";

export function Conflicts() {
  const { id, view, me, readOnly } = useHousehold();
  const edit = useEdit();
  if (view.conflicts.length === 0) return null;
  return (
    <section data-testid="conflicts" role="region" aria-label="Conflicting edits" className="rounded-lg border border-warn/40 bg-warn/10 px-4 py-3">
      <h2 className="text-sm font-semibold text-warn">
        {view.conflicts.length === 1 ? "A field was changed by two advisors at once" : `${view.conflicts.length} fields were changed by two advisors at once`}
        <span className="ml-2 font-normal text-muted">Pick the value to keep.</span>
      </h2>
      <ul className="mt-2 space-y-2">
        {view.conflicts.map((c) => (
          <li key={c.path.join("/")} data-testid="conflict" data-path={c.path.join(".")} className="flex flex-wrap items-center gap-2 text-sm">
            <span className="min-w-0 flex-1" data-selectable>
              {describeConflict(c, me)}
            </span>
            {c.values.map((v) => (
              <Button
                key={v.value}
                data-testid="conflict-keep"
                data-value={v.value}
                className="px-2 py-0.5 text-xs"
                disabled={readOnly || edit.busy}
                title={v.advisor ? `Keep ${v.advisor}'s value` : undefined}
                onClick={() => void edit.run(() => api.resolveConflict(id, c.path, v.value))}
              >
                Keep {v.value}
              </Button>
            ))}
          </li>
        ))}
      </ul>
      {edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
    </section>
  );
}

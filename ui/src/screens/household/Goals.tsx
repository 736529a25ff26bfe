// Goals: what the household saves towards, how far it is funded (exact), edit, remove, add.
import { useState } from "react";
import { api, type Goal, type GoalPatch } from "../../api";
import { formatDay } from "../../lib/dates";
import { changedFields, checkDay, checkOptionalDecimal, goalProgress } from "../../lib/household";
import { formatMoney } from "../../lib/money";
import { Card, Empty, ErrorBanner, ProgressBar } from "../../components/ui";
import { ConfirmButton, FormDialog, InlineForm, RowButton, useEdit, useHousehold, type FieldSpec } from "./shared";

const GOAL_FIELDS: FieldSpec[] = [
  { name: "title", label: "Goal", placeholder: "Retire at 62", wide: true },
  { name: "target_amount", label: "Target amount", placeholder: "2000000.00" },
  { name: "target_date", label: "Target date", type: "date" },
  { name: "funded_amount", label: "Funded so far", placeholder: "850000.00" },
];

type GoalForm = { title: string; target_amount: string; target_date: string; funded_amount: string };

/** The goal's amounts and date, checked; undefined after a message. */
function checkGoal(v: Partial<GoalForm>, edit: ReturnType<typeof useEdit>) {
  const target = edit.checked(checkOptionalDecimal(v.target_amount ?? "", "Target amount"));
  if (target === undefined) return undefined;
  const funded = edit.checked(checkOptionalDecimal(v.funded_amount ?? "", "Funded so far"));
  if (funded === undefined) return undefined;
  const date = edit.checked(checkDay(v.target_date ?? "", "Target date"));
  if (date === undefined) return undefined;
  return { target, funded, date };
}

export function GoalsCard() {
  const { id, view } = useHousehold();
  const add = useEdit();
  const goals = Object.entries(view.data.goals).sort(([, a], [, b]) => (a.target_date ?? "9999").localeCompare(b.target_date ?? "9999"));
  return (
    <Card title="Goals" testId="goals-card">
      {goals.length === 0 && <Empty>No goals yet.</Empty>}
      <ul className="divide-y divide-line">
        {goals.map(([gid, g]) => (
          <GoalRow key={gid} goalId={gid} goal={g} />
        ))}
      </ul>
      <InlineForm
        label="Add goal"
        submitLabel="Add goal"
        testId="add-goal"
        fields={GOAL_FIELDS}
        error={add.error}
        onSubmit={async (v) => {
          const title = (v.title ?? "").trim();
          if (!title) {
            add.refuse("A goal needs a title, e.g. Retire at 62.");
            return false;
          }
          const c = checkGoal(v, add);
          if (!c) return false;
          return add.run(() => api.addGoal(id, { title, targetAmount: c.target, targetDate: c.date, fundedAmount: c.funded }));
        }}
      />
    </Card>
  );
}

function GoalRow({ goalId, goal: g }: { goalId: string; goal: Goal }) {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  const [editing, setEditing] = useState(false);
  const progress = goalProgress(g.funded_amount, g.target_amount);
  const initial: GoalForm = { title: g.title, target_amount: g.target_amount ?? "", target_date: g.target_date ?? "", funded_amount: g.funded_amount ?? "" };
  return (
    <li className="py-2.5 text-sm" data-testid="goal" data-goal-id={goalId}>
      <div className="flex items-baseline gap-2">
        <span className="font-medium">{g.title}</span>
        <span className="text-muted">
          {g.target_amount ? formatMoney(g.target_amount) : ""}
          {g.target_date ? ` by ${formatDay(g.target_date)}` : ""}
        </span>
        <span className="ml-auto flex gap-0.5">
          <RowButton
            data-testid="goal-edit"
            disabled={readOnly}
            onClick={() => {
              edit.clear();
              setEditing(true);
            }}
          >
            Edit
          </RowButton>
          <ConfirmButton label="Remove" question={`Remove “${g.title}”?`} testId="goal-remove" disabled={readOnly} busy={edit.busy} onConfirm={() => edit.run(() => api.removeGoal(id, goalId))} />
        </span>
      </div>
      {progress && (
        <div className="mt-1">
          <ProgressBar testId="goal-progress" label={`${formatMoney(g.funded_amount ?? "0")} funded`} detail={progress.label} percent={progress.percent} />
        </div>
      )}
      {!progress && g.funded_amount && <div className="text-xs text-muted">{formatMoney(g.funded_amount)} funded</div>}
      {!editing && <ErrorBanner error={edit.error} onDismiss={edit.clear} />}
      <FormDialog
        open={editing}
        onOpenChange={(o) => {
          setEditing(o);
          if (!o) edit.clear();
        }}
        title="Edit goal"
        testId="goal-dialog"
        fields={GOAL_FIELDS}
        initial={initial}
        error={edit.error}
        busy={edit.busy}
        onSave={async (v) => {
          const changed = changedFields(initial, v as GoalForm);
          const patch: GoalPatch = {};
          if ("title" in changed) {
            if (!changed.title) {
              edit.refuse("A goal needs a title.");
              return false;
            }
            patch.title = changed.title;
          }
          const c = checkGoal(v, edit);
          if (!c) return false;
          if ("target_amount" in changed) patch.target_amount = c.target;
          if ("funded_amount" in changed) patch.funded_amount = c.funded;
          if ("target_date" in changed) patch.target_date = c.date;
          if (Object.keys(patch).length === 0) return true;
          return edit.run(() => api.updateGoal(id, goalId, patch));
        }}
      />
    </li>
  );
}

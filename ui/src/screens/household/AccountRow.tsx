// One account: type, custodian, owner, AUM as of a date, fee rate; its balance history; a new
// balance (checked as an exact decimal before it is sent); edit, close or reopen, remove.
import { useState } from "react";
import { api, type Account, type AccountPatch } from "../../api";
import { dateTime, formatDay, today } from "../../lib/dates";
import { balanceHistory, changedFields, checkDay, checkDecimal, checkFeeRate } from "../../lib/household";
import { formatMoney, formatRate } from "../../lib/money";
import { Badge, Button, cx, ErrorBanner, Input } from "../../components/ui";
import { ConfirmButton, FormDialog, ownerOptions, RowButton, useEdit, useHousehold } from "./shared";

export function AccountRow({ accountId, account: a }: { accountId: string; account: Account }) {
  const { id, view, readOnly } = useHousehold();
  const edit = useEdit();
  const [balanceOpen, setBalanceOpen] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const closed = !!a.closed_on;
  const owner = a.owner ? (view.data.members[a.owner]?.name ?? "removed member") : null;
  const history = balanceHistory(a.balances);
  const initial = { kind: a.kind, custodian: a.custodian ?? "", registration: a.registration ?? "", fee_rate: a.fee_rate ?? "", owner: a.owner ?? "" };

  return (
    <li className={cx("py-2.5 text-sm", closed && "opacity-60")} data-testid="account-row" data-account-id={accountId} data-closed={closed || undefined}>
      <div className="flex items-baseline gap-2">
        <span className="font-medium">{a.kind}</span>
        {a.custodian && <span className="text-muted">{a.custodian}</span>}
        {a.registration && <span className="text-xs text-muted">· {a.registration}</span>}
        {closed && <Badge>closed {formatDay(a.closed_on)}</Badge>}
        <span className={cx("ml-auto tabular-nums", closed && "line-through")} data-testid="account-aum-value">
          {formatMoney(a.aum)}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-x-2 text-xs text-muted">
        <span>{owner ? `Owner ${owner}` : "No owner"}</span>
        {a.fee_rate && <span>· fee {formatRate(a.fee_rate)}</span>}
        {a.aum_as_of && <span data-testid="account-as-of">· as of {formatDay(a.aum_as_of)}</span>}
        <span className="ml-auto flex flex-wrap gap-0.5">
          {history.length > 0 && (
            <RowButton data-testid="account-history" aria-expanded={historyOpen} onClick={() => setHistoryOpen(!historyOpen)}>
              {historyOpen ? "Hide history" : `History (${history.length})`}
            </RowButton>
          )}
          {!closed && (
            <RowButton data-testid="account-aum" disabled={readOnly} onClick={() => setBalanceOpen(!balanceOpen)}>
              Update balance
            </RowButton>
          )}
          <RowButton
            data-testid="account-edit"
            disabled={readOnly}
            onClick={() => {
              edit.clear();
              setEditing(true);
            }}
          >
            Edit
          </RowButton>
          <RowButton
            data-testid={closed ? "account-reopen" : "account-close"}
            disabled={readOnly || edit.busy}
            onClick={() => void edit.run(() => api.updateAccount(id, accountId, { closed_on: closed ? null : today() }))}
          >
            {closed ? "Reopen" : "Close"}
          </RowButton>
          <ConfirmButton label="Remove" question={`Remove ${a.kind}?`} testId="account-remove" disabled={readOnly} busy={edit.busy} onConfirm={() => edit.run(() => api.removeAccount(id, accountId))} />
        </span>
      </div>
      {balanceOpen && !closed && <BalanceForm accountId={accountId} onDone={() => setBalanceOpen(false)} />}
      {historyOpen && (
        <ol className="mt-2 space-y-0.5 rounded-md bg-sunken px-3 py-2 text-xs" data-testid="balance-history">
          {[...history].reverse().map((b) => (
            <li key={b.id} className="flex gap-3" data-testid="balance" title={`Entered ${dateTime(b.recorded_at)}`}>
              <span className="w-28 text-muted">{formatDay(b.as_of)}</span>
              <span className="w-36 text-right tabular-nums">{formatMoney(b.amount)}</span>
              <span className="text-muted">{b.recorded_by}</span>
            </li>
          ))}
        </ol>
      )}
      {!editing && edit.error && (
        <div className="mt-2">
          <ErrorBanner error={edit.error} onDismiss={edit.clear} />
        </div>
      )}
      <FormDialog
        open={editing}
        onOpenChange={(o) => {
          setEditing(o);
          if (!o) edit.clear();
        }}
        title={`Edit ${a.kind}`}
        testId="account-dialog"
        fields={[
          { name: "kind", label: "Type", placeholder: "Rollover IRA" },
          { name: "custodian", label: "Custodian", placeholder: "empty: none" },
          { name: "registration", label: "Registration", placeholder: "empty: none" },
          { name: "fee_rate", label: "Fee rate", placeholder: "0.0085", hint: "0.0085 is 0.85% a year" },
          { name: "owner", label: "Owner", options: ownerOptions(view.data.members, a.owner), wide: true },
        ]}
        initial={initial}
        error={edit.error}
        busy={edit.busy}
        onSave={async (v) => {
          const changed = changedFields(initial, v as typeof initial);
          const patch: AccountPatch = {};
          if ("kind" in changed) {
            if (!changed.kind) {
              edit.refuse("An account needs a type.");
              return false;
            }
            patch.kind = changed.kind;
          }
          if ("custodian" in changed) patch.custodian = changed.custodian ?? null;
          if ("registration" in changed) patch.registration = changed.registration ?? null;
          if ("fee_rate" in changed) {
            const rate = edit.checked(checkFeeRate(changed.fee_rate ?? ""));
            if (rate === undefined) return false;
            patch.fee_rate = rate;
          }
          if ("owner" in changed) patch.owner = changed.owner ?? null;
          if (Object.keys(patch).length === 0) return true;
          return edit.run(() => api.updateAccount(id, accountId, patch));
        }}
      />
    </li>
  );
}

/** A new balance: it becomes the AUM and joins the history. Nothing is sent until the amount is
 * an exact decimal and the date a real day. */
function BalanceForm({ accountId, onDone }: { accountId: string; onDone: () => void }) {
  const { id } = useHousehold();
  const edit = useEdit();
  const [amount, setAmount] = useState("");
  const [asOf, setAsOf] = useState(today());
  return (
    <form
      className="mt-2 space-y-2 rounded-md bg-sunken p-3"
      onSubmit={async (e) => {
        e.preventDefault();
        const value = edit.checked(checkDecimal(amount, "New balance"));
        if (value === undefined) return;
        const day = edit.checked(checkDay(asOf, "As of"));
        if (day === undefined) return;
        if (!day) return edit.refuse("As of: pick the date the balance is from.");
        if (await edit.run(() => api.updateAccount(id, accountId, { aum: { amount: value, as_of: day } }))) onDone();
      }}
      onKeyDown={(e) => e.key === "Escape" && onDone()}
    >
      <div className="flex flex-wrap items-end gap-2">
        <label className="space-y-1">
          <span className="block text-xs font-medium text-muted">New balance</span>
          <Input autoFocus data-testid="aum-amount" inputMode="decimal" placeholder="1300000.00" value={amount} onChange={(e) => setAmount(e.target.value)} className="w-44 tabular-nums" />
        </label>
        <label className="space-y-1">
          <span className="block text-xs font-medium text-muted">As of</span>
          <Input data-testid="aum-as-of" type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} className="w-40" />
        </label>
        <Button type="submit" variant="primary" busy={edit.busy} data-testid="aum-save">
          Save balance
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
      <ErrorBanner error={edit.error} onDismiss={edit.clear} />
    </form>
  );
}

// Accounts: the open ones' AUM adds up to the household total; each row has its balance
// history, a new balance, edit, close or reopen, remove. Adding keeps the flow the end-to-end
// test drives ("+ Add account", type and AUM placeholders, "Add").
import { api } from "../../api";
import { today } from "../../lib/dates";
import { checkDay, checkDecimal, checkFeeRate } from "../../lib/household";
import { formatMoney } from "../../lib/money";
import { Card, Empty } from "../../components/ui";
import { AccountRow } from "./AccountRow";
import { InlineForm, ownerOptions, useEdit, useHousehold, type FieldSpec } from "./shared";

export function AccountsCard({ aum }: { aum: string }) {
  const { id, view } = useHousehold();
  const add = useEdit();
  const accounts = Object.entries(view.data.accounts).sort(([, a], [, b]) => Number(!!a.closed_on) - Number(!!b.closed_on) || a.kind.localeCompare(b.kind));
  const fields: FieldSpec[] = [
    { name: "kind", label: "Type", placeholder: "Rollover IRA" },
    { name: "custodian", label: "Custodian", placeholder: "Schwab" },
    { name: "aum", label: "AUM", placeholder: "1250000.00" },
    { name: "asOf", label: "AUM as of", type: "date" },
    { name: "feeRate", label: "Fee rate", placeholder: "0.0085", hint: "0.0085 is 0.85% a year" },
    { name: "owner", label: "Owner", options: ownerOptions(view.data.members, null) },
    { name: "registration", label: "Registration", placeholder: "Individual, JTWROS, Trust…", wide: true },
  ];
  return (
    <Card
      title={
        <>
          Accounts · <span className="tabular-nums">{formatMoney(aum)}</span>
        </>
      }
      testId="accounts-card"
    >
      {accounts.length === 0 && <Empty>No accounts yet.</Empty>}
      <ul className="divide-y divide-line">
        {accounts.map(([aid, a]) => (
          <AccountRow key={aid} accountId={aid} account={a} />
        ))}
      </ul>
      <InlineForm
        label="Add account"
        testId="add-account"
        fields={fields}
        initial={() => ({ asOf: today(), owner: "" })}
        error={add.error}
        onSubmit={async (v) => {
          const kind = (v.kind ?? "").trim();
          if (!kind) {
            add.refuse("An account needs a type, e.g. Rollover IRA.");
            return false;
          }
          let aumValue: string | null = null;
          let asOf: string | null = null;
          if ((v.aum ?? "").trim()) {
            const checked = add.checked(checkDecimal(v.aum, "AUM"));
            if (checked === undefined) return false;
            aumValue = checked;
            const day = add.checked(checkDay(v.asOf ?? "", "AUM as of"));
            if (day === undefined) return false;
            asOf = day;
          }
          const feeRate = add.checked(checkFeeRate(v.feeRate ?? ""));
          if (feeRate === undefined) return false;
          return add.run(() =>
            api.addAccount(id, {
              kind,
              custodian: v.custodian?.trim() || null,
              registration: v.registration?.trim() || null,
              aum: aumValue,
              asOf,
              feeRate,
              owner: v.owner || null,
            }),
          );
        }}
      />
    </Card>
  );
}

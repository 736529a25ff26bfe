// The overview tab: members, accounts, goals, client facts and custom fields.
import { AccountsCard } from "./Accounts";
import { CustomFieldsCard } from "./CustomFields";
import { FactsCard } from "./Facts";
import { GoalsCard } from "./Goals";
import { MembersCard } from "./Members";

export function Overview({ aum }: { aum: string }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <MembersCard />
      <AccountsCard aum={aum} />
      <GoalsCard />
      <FactsCard />
      <div className="lg:col-span-2">
        <CustomFieldsCard />
      </div>
    </div>
  );
}

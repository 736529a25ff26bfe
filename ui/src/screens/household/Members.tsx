// The people of the household: name, role, age, how to reach them; edit, remove, add.
import { useState } from "react";
import { api, type Member, type MemberPatch, type Role } from "../../api";
import { today } from "../../lib/dates";
import { ageLabel, birthInput, changedFields, checkBirth } from "../../lib/household";
import { Card, Empty, ErrorBanner } from "../../components/ui";
import { ConfirmButton, FormDialog, InlineForm, ROLE_OPTIONS, RowButton, useEdit, useHousehold, type FieldSpec } from "./shared";

const BIRTH_PLACEHOLDER = "1961-04-02 or 1961";

const MEMBER_FIELDS: FieldSpec[] = [
  { name: "name", label: "Name", placeholder: "Linda Johnson" },
  { name: "role", label: "Role", options: ROLE_OPTIONS },
  { name: "birth", label: "Birth date or year", placeholder: BIRTH_PLACEHOLDER },
  { name: "email", label: "E-mail", placeholder: "optional", type: "email" },
  { name: "phone", label: "Phone", placeholder: "optional", type: "tel" },
];

export function MembersCard() {
  const { id, view } = useHousehold();
  const add = useEdit();
  const members = Object.entries(view.data.members).sort(([, a], [, b]) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.name.localeCompare(b.name));
  return (
    <Card title="Members" testId="members-card">
      {members.length === 0 && <Empty>No members yet.</Empty>}
      <ul className="divide-y divide-line">
        {members.map(([mid, m]) => (
          <MemberRow key={mid} memberId={mid} member={m} />
        ))}
      </ul>
      <InlineForm
        label="Add member"
        testId="add-member"
        fields={MEMBER_FIELDS}
        initial={() => ({ role: members.length === 0 ? "Head" : "Spouse" })}
        error={add.error}
        onSubmit={async (v) => {
          const name = (v.name ?? "").trim();
          if (!name) {
            add.refuse("A member needs a name.");
            return false;
          }
          const birth = add.checked(checkBirth(v.birth ?? ""));
          if (birth === undefined) return false;
          return add.run(() => api.addMember(id, { name, role: v.role || "Head", birth, email: v.email?.trim() || null, phone: v.phone?.trim() || null }));
        }}
      />
    </Card>
  );
}

const ROLE_ORDER: Role[] = ["Head", "Spouse", "Partner", "Child", "Dependent", "Other"];

function MemberRow({ memberId, member: m }: { memberId: string; member: Member }) {
  const { id, readOnly } = useHousehold();
  const edit = useEdit();
  const [editing, setEditing] = useState(false);
  const age = ageLabel(m, today());
  const initial = { name: m.name, role: m.role, birth: birthInput(m), email: m.contact.email ?? "", phone: m.contact.phone ?? "" };
  return (
    <li className="py-2 text-sm" data-testid="member" data-member-id={memberId}>
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <div>
            <span className="font-medium" data-selectable>
              {m.name}
            </span>
            <span className="ml-2 text-muted">
              {m.role}
              {age && <span data-testid="member-age"> · {age}</span>}
            </span>
          </div>
          {(m.contact.email || m.contact.phone) && (
            <div className="truncate text-xs text-muted" data-selectable>
              {[m.contact.email, m.contact.phone].filter(Boolean).join(" · ")}
            </div>
          )}
        </div>
        <RowButton
          data-testid="member-edit"
          disabled={readOnly}
          onClick={() => {
            edit.clear();
            setEditing(true);
          }}
        >
          Edit
        </RowButton>
        <ConfirmButton label="Remove" question={`Remove ${m.name}?`} testId="member-remove" disabled={readOnly} busy={edit.busy} onConfirm={() => edit.run(() => api.removeMember(id, memberId))} />
      </div>
      {!editing && <ErrorBanner error={edit.error} onDismiss={edit.clear} />}
      <FormDialog
        open={editing}
        onOpenChange={(o) => {
          setEditing(o);
          if (!o) edit.clear();
        }}
        title={`Edit ${m.name}`}
        testId="member-dialog"
        fields={MEMBER_FIELDS.map((f) => (f.name === "birth" || f.name === "email" || f.name === "phone" ? { ...f, placeholder: f.name === "birth" ? BIRTH_PLACEHOLDER : "empty: none" } : f))}
        initial={initial}
        error={edit.error}
        busy={edit.busy}
        onSave={async (v) => {
          const changed = changedFields(initial, v as typeof initial);
          const patch: MemberPatch = {};
          if ("name" in changed) {
            if (!changed.name) {
              edit.refuse("A member needs a name.");
              return false;
            }
            patch.name = changed.name;
          }
          if (changed.role) patch.role = changed.role as Role;
          if ("birth" in changed) {
            const birth = edit.checked(checkBirth(changed.birth ?? ""));
            if (birth === undefined) return false;
            patch.birth = birth;
          }
          if ("email" in changed) patch.email = changed.email ?? null;
          if ("phone" in changed) patch.phone = changed.phone ?? null;
          if (Object.keys(patch).length === 0) return true;
          return edit.run(() => api.updateMember(id, memberId, patch));
        }}
      />
    </li>
  );
}

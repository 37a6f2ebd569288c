import { type Role, roles } from '@dolly/authz';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import type { components } from '@dolly/api-client';
import { CopyOnce } from '../../../components/copy-once.tsx';
import { Dialog } from '../../../components/dialog.tsx';
import { ActionButton, DisabledReason } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { formatDateTime, formatRelative } from '../../../lib/format.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { SelectField, TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { StateLabel } from '../components/state-label.tsx';
import { grantableRoles } from '../permissions.ts';
import { errorMessage, fieldErrors, problemOf } from '../problem.ts';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys, useMembers } from '../settings-api.ts';
import { memberActions, roleOptionRefusal } from './member-rules.ts';

type Member = components['schemas']['Member'];

const roleDescriptions: Record<Role, string> = {
  owner: 'Everything, including the tenant itself',
  admin: 'Accounts, members, policies, tokens and the audit log',
  operator: 'Runs the fleet: syncs, approvals, rollbacks, kubeconfigs',
  developer: 'Plans and self-service clones under the clone policies',
  viewer: 'Reads everything, changes nothing',
};

export function MembersPage() {
  const { permissions } = useSettingsScope();
  const members = useMembers();
  const [notice, setNotice] = useState('');
  return (
    <section aria-labelledby="st-members">
      <SectionHeader
        id="st-members"
        title="Members and roles"
        intro="Nobody grants a role above their own, to a member or to an API token."
      />
      {notice && (
        <p role="status" className="st-notice">
          <StateLabel tone="success">{notice}</StateLabel>
        </p>
      )}
      <InviteForm onNotice={setNotice} />
      <QueryState isPending={members.isPending} error={members.error} what="members" />
      {members.data && <MemberTable members={members.data} onNotice={setNotice} />}
      {!permissions.manageMembers.allowed && (
        <p className="muted">
          <DisabledReason reason={permissions.manageMembers.reason} />
        </p>
      )}
    </section>
  );
}

function InviteForm({ onNotice }: { onNotice: (message: string) => void }) {
  const { session, permissions } = useSettingsScope();
  const client = useQueryClient();
  const grantable = grantableRoles(session.role);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const [password, setPassword] = useState<{ email: string; value: string }>();
  const invite = useMutation({
    mutationFn: (body: { email: string; name?: string; role: Role }) =>
      unwrap(dolly.POST('/api/v1/members', { body })),
    onSuccess: async (member) => {
      onNotice(`${member.email} joined as ${member.role}.`);
      setPassword(
        member.initialPassword ? { email: member.email, value: member.initialPassword } : undefined,
      );
      setEmail('');
      setName('');
      await client.invalidateQueries({ queryKey: settingsKeys.members });
    },
  });
  const server = fieldErrors(problemOf(invite.error), ['email', 'name', 'role']);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = { ...server.byPath, ...localErrors };
  if (!permissions.manageMembers.allowed) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.reset();
    const problems: Record<string, string> = {};
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) problems.email = 'An email address, like dana@example.com';
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    invite.mutate({ email: email.trim(), role, ...(name.trim() ? { name: name.trim() } : {}) });
  };
  return (
    <form className="st-card st-form" onSubmit={submit} noValidate aria-label="Invite a member">
      <h3>Invite a member</h3>
      <FormProblem error={invite.error} fields={server} />
      <div className="st-row">
        <TextField
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          autoComplete="off"
          required
        />
        <TextField
          label="Name"
          optional
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          autoComplete="off"
        />
        <SelectField
          label="Role"
          hint={`Up to your own role (${session.role}).`}
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          error={errors.role}
        >
          {grantable.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="st-form-actions">
        <button type="submit" disabled={invite.isPending}>
          {invite.isPending ? 'Inviting…' : 'Invite'}
        </button>
      </div>
      {password && (
        <CopyOnce
          label={`One-time password for ${password.email}`}
          value={password.value}
          note="Pass it on privately; it is shown only once. Existing users keep their own password."
        />
      )}
    </form>
  );
}

function MemberTable({ members, onNotice }: { members: Member[]; onNotice: (message: string) => void }) {
  const { session, permissions } = useSettingsScope();
  const [changing, setChanging] = useState<Member>();
  const [removing, setRemoving] = useState<Member>();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(dolly.DELETE('/api/v1/members/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      onNotice(`${removing?.email ?? 'The member'} was removed.`);
      setRemoving(undefined);
      await client.invalidateQueries({ queryKey: settingsKeys.members });
    },
  });
  const me = { role: session.role, manage: permissions.manageMembers };
  return (
    <div className="st-table-wrap">
      <table className="st-table">
        <caption className="st-sr-only">Members of {session.tenant.name}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Member since</th>
            <th scope="col">
              <span className="st-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => {
            const actions = memberActions(me, member, members);
            // One reason is enough when both actions are refused for the same one.
            const sameReason =
              !actions.changeRole.allowed &&
              !actions.remove.allowed &&
              actions.changeRole.reason === actions.remove.reason;
            return (
              <tr key={member.id} data-member={member.email}>
                <th scope="row">
                  {member.name}
                  {member.userId === session.user.id && <span className="muted"> (you)</span>}
                </th>
                <td>{member.email}</td>
                <td>{member.role}</td>
                <td title={formatDateTime(member.createdAt)}>{formatRelative(member.createdAt)}</td>
                <td>
                  <div className="st-actions">
                    <ActionButton
                      permission={actions.changeRole}
                      compact={sameReason || !permissions.manageMembers.allowed}
                      className="secondary"
                      aria-label={`Change role of ${member.email}`}
                      onClick={() => setChanging(member)}
                    >
                      Change role
                    </ActionButton>
                    <ActionButton
                      permission={actions.remove}
                      compact={!permissions.manageMembers.allowed}
                      className="secondary"
                      aria-label={`Remove ${member.email}`}
                      onClick={() => setRemoving(member)}
                    >
                      Remove
                    </ActionButton>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ChangeRoleDialog
        member={changing}
        onClose={() => setChanging(undefined)}
        onChanged={(m) => {
          setChanging(undefined);
          onNotice(`${m.email} is now ${m.role}.`);
        }}
      />
      <ConfirmDialog
        open={Boolean(removing)}
        title={`Remove ${removing?.email ?? 'member'}?`}
        confirmLabel="Remove member"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onClose={() => {
          remove.reset();
          setRemoving(undefined);
        }}
      >
        <p>
          {removing?.userId === session.user.id
            ? 'This is you: you lose access to this tenant at once. '
            : 'Their sessions in this tenant end and their API tokens stop working. '}
          Their audit history stays.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function ChangeRoleDialog({
  member,
  onClose,
  onChanged,
}: {
  /** the member whose role is being changed; the dialog is closed without one */
  member: Member | undefined;
  onClose: () => void;
  onChanged: (member: Member) => void;
}) {
  const { session } = useSettingsScope();
  const client = useQueryClient();
  const formId = useId();
  // The dialog stays mounted so the native <dialog> returns focus to the row's button on close;
  // the choice is kept per member so reopening for someone else starts from their role.
  const [draft, setDraft] = useState<{ memberId: string; role: Role }>();
  const role = draft && draft.memberId === member?.id ? draft.role : member?.role;
  const setRole = (next: Role) => member && setDraft({ memberId: member.id, role: next });
  const change = useMutation({
    mutationFn: ({ id, next }: { id: string; next: Role }) =>
      unwrap(dolly.PATCH('/api/v1/members/{id}', { params: { path: { id } }, body: { role: next } })),
    onSuccess: async (updated) => {
      setDraft(undefined);
      await client.invalidateQueries({ queryKey: settingsKeys.members });
      onChanged(updated);
    },
  });
  const close = () => {
    change.reset();
    setDraft(undefined);
    onClose();
  };
  return (
    <Dialog
      open={Boolean(member)}
      title={`Change the role of ${member?.email ?? 'a member'}`}
      onClose={close}
      actions={
        <button type="submit" form={formId} disabled={change.isPending || !member || role === member.role}>
          {change.isPending ? 'Saving…' : 'Save role'}
        </button>
      }
    >
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          if (member && role) change.mutate({ id: member.id, next: role });
        }}
      >
        <fieldset className="st-choices">
          <legend>Role</legend>
          {roles.map((r) => {
            const refusal = roleOptionRefusal(session.role, r);
            return (
              <label key={r} className="st-choice">
                <input
                  type="radio"
                  name="role"
                  value={r}
                  checked={role === r}
                  disabled={Boolean(refusal)}
                  onChange={() => setRole(r)}
                />
                <span>
                  <strong>{r}</strong>
                  {r === member?.role && <span className="muted"> (current)</span>}
                  <span className="st-hint">{refusal ?? roleDescriptions[r]}</span>
                </span>
              </label>
            );
          })}
        </fieldset>
        {change.error ? (
          <p role="alert" className="st-error">
            <span aria-hidden="true">✕ </span>
            {errorMessage(change.error)}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}

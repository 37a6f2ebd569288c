import { PROD_GUARD } from '@dolly/authz';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ActionButton } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { StateLabel } from '../components/state-label.tsx';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys, usePolicies } from '../settings-api.ts';
import { EvaluatePanel } from './evaluate-panel.tsx';
import { type ClonePolicy, describeMatcher } from './policy-form.ts';

export function PoliciesPage() {
  const { permissions } = useSettingsScope();
  const policies = usePolicies();
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState<ClonePolicy>();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(dolly.DELETE('/api/v1/policies/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setDeleting(undefined);
      await client.invalidateQueries({ queryKey: settingsKeys.policies });
    },
  });
  return (
    <section aria-labelledby="st-policies">
      <SectionHeader
        id="st-policies"
        title="Clone policies"
        intro="Every clone and migration is checked against these rules, lowest priority first; the first rule that matches decides. When none matches, the request is allowed."
      >
        <ActionButton
          permission={permissions.managePolicies}
          onClick={() => navigate('/settings/policies/new')}
        >
          Add policy
        </ActionButton>
      </SectionHeader>
      <QueryState isPending={policies.isPending} error={policies.error} what="clone policies" />
      {policies.data && (
        <div className="st-table-wrap">
          <table className="st-table">
            <caption className="st-sr-only">Clone policies in evaluation order</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Priority
                </th>
                <th scope="col">Name</th>
                <th scope="col">Effect</th>
                <th scope="col">Roles</th>
                <th scope="col">Source</th>
                <th scope="col">Target</th>
                <th scope="col">Approval</th>
                <th scope="col">
                  <span className="st-sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <tr className="st-fixed-row" data-policy={PROD_GUARD}>
                <td className="num">
                  <span className="st-small">always first</span>
                </td>
                <th scope="row">
                  Prod guard <span className="st-small muted">(built in)</span>
                </th>
                <td>
                  <StateLabel tone="danger">Deny</StateLabel>
                </td>
                <td>developer, viewer</td>
                <td>any environment</td>
                <td>prod</td>
                <td>—</td>
                <td className="st-small muted">Fixed: no policy can lift it</td>
              </tr>
              {policies.data.map((policy) => (
                <tr key={policy.id} data-policy={policy.name}>
                  <td className="num">{policy.priority}</td>
                  <th scope="row">{policy.name}</th>
                  <td>
                    {policy.effect === 'allow' ? (
                      <StateLabel tone="success">Allow</StateLabel>
                    ) : (
                      <StateLabel tone="danger">Deny</StateLabel>
                    )}
                  </td>
                  <td>{policy.roles.length ? policy.roles.join(', ') : 'every role'}</td>
                  <td>{describeMatcher(policy.source)}</td>
                  <td>{describeMatcher(policy.target)}</td>
                  <td>{policy.effect === 'allow' && policy.requireApproval ? 'Operator approves' : '—'}</td>
                  <td>
                    <div className="st-actions">
                      {permissions.managePolicies.allowed ? (
                        <Link to={`/settings/policies/${policy.id}`} aria-label={`Edit ${policy.name}`}>
                          Edit
                        </Link>
                      ) : null}
                      <ActionButton
                        permission={permissions.managePolicies}
                        compact
                        className="secondary"
                        aria-label={`Delete ${policy.name}`}
                        onClick={() => setDeleting(policy)}
                      >
                        Delete
                      </ActionButton>
                    </div>
                  </td>
                </tr>
              ))}
              {policies.data.length === 0 && (
                <tr>
                  <td colSpan={8} className="st-empty">
                    No tenant policies: everything the prod guard does not forbid is allowed.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <EvaluatePanel />
      <ConfirmDialog
        open={Boolean(deleting)}
        title={`Delete policy ${deleting?.name ?? ''}?`}
        confirmLabel="Delete policy"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onClose={() => {
          remove.reset();
          setDeleting(undefined);
        }}
      >
        <p>Requests this rule decided are decided by the next matching rule from now on.</p>
      </ConfirmDialog>
    </section>
  );
}

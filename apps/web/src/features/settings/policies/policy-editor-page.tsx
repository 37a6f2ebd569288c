import { type Role, roles } from '@dolly/authz';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { DisabledReason } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { fieldErrors, problemOf } from '../problem.ts';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys, usePolicies } from '../settings-api.ts';
import {
  type ClonePolicy,
  emptyPolicyForm,
  type MatcherForm,
  type PolicyBody,
  type PolicyForm,
  policyBody,
  policyToForm,
} from './policy-form.ts';

/** `/settings/policies/new` and `/settings/policies/:policyId`. */
export function PolicyEditorPage() {
  const { policyId } = useParams();
  const { permissions } = useSettingsScope();
  const policies = usePolicies();
  const title = policyId ? 'Edit clone policy' : 'Add a clone policy';
  if (!permissions.managePolicies.allowed)
    return (
      <section>
        <SectionHeader title={title} />
        <DisabledReason reason={permissions.managePolicies.reason} />
      </section>
    );
  if (!policyId) return <PolicyEditor title={title} />;
  const policy = policies.data?.find((p) => p.id === policyId);
  if (policies.data && !policy)
    return (
      <section>
        <SectionHeader title={title} />
        <p role="alert">
          No policy {policyId} in this tenant. <Link to="/settings/policies">All policies</Link>
        </p>
      </section>
    );
  if (!policy) return <QueryState isPending={policies.isPending} error={policies.error} what="the policy" />;
  return <PolicyEditor key={policy.id} title={title} policy={policy} />;
}

const paths = [
  'name',
  'effect',
  'roles',
  'priority',
  'requireApproval',
  'source.env',
  'source.clusterGlob',
  'source.namespaceGlob',
  'target.env',
  'target.clusterGlob',
  'target.namespaceGlob',
  'source',
  'target',
];

function PolicyEditor({ title, policy }: { title: string; policy?: ClonePolicy }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [form, setForm] = useState<PolicyForm>(() => (policy ? policyToForm(policy) : emptyPolicyForm));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (body: PolicyBody) =>
      policy
        ? unwrap(dolly.PUT('/api/v1/policies/{id}', { params: { path: { id: policy.id } }, body }))
        : unwrap(dolly.POST('/api/v1/policies', { body })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: settingsKeys.policies });
      navigate('/settings/policies');
    },
  });
  const server = fieldErrors(problemOf(save.error), paths);
  const errors = { ...server.byPath, ...localErrors };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.reset();
    const body = policyBody(form);
    setLocalErrors(body.ok ? {} : body.errors);
    if (body.ok) save.mutate(body.value);
  };
  const toggleRole = (role: Role, on: boolean) =>
    setForm((f) => ({
      ...f,
      roles: on ? roles.filter((r) => r === role || f.roles.includes(r)) : f.roles.filter((r) => r !== role),
    }));
  const matcher = (which: 'source' | 'target') => {
    const value = form[which];
    const set = (patch: Partial<MatcherForm>) =>
      setForm((f) => ({ ...f, [which]: { ...f[which], ...patch } }));
    return (
      <fieldset className="st-endpoint">
        <legend>{which === 'source' ? 'Source (cloned from)' : 'Target (cloned into)'}</legend>
        <TextField
          label="Environments"
          hint="Comma-separated, e.g. prod, staging. Empty: any."
          optional
          value={value.env}
          onChange={(e) => set({ env: e.target.value })}
          error={errors[`${which}.env`] ?? errors[which]}
          autoComplete="off"
        />
        <TextField
          label="Cluster name glob"
          hint="e.g. shop-*. Empty: any."
          optional
          value={value.clusterGlob}
          onChange={(e) => set({ clusterGlob: e.target.value })}
          error={errors[`${which}.clusterGlob`]}
          autoComplete="off"
        />
        <TextField
          label="Namespace glob"
          hint="Migrations only. Empty: any."
          optional
          value={value.namespaceGlob}
          onChange={(e) => set({ namespaceGlob: e.target.value })}
          error={errors[`${which}.namespaceGlob`]}
          autoComplete="off"
        />
      </fieldset>
    );
  };
  return (
    <section aria-labelledby="st-policy-editor">
      <p className="st-breadcrumb">
        <Link to="/settings/policies">Clone policies</Link> <span aria-hidden="true">›</span>
      </p>
      <SectionHeader id="st-policy-editor" title={title} />
      <form className="st-form" onSubmit={submit} noValidate aria-label={title}>
        <FormProblem error={save.error} fields={server} />
        <div className="st-row">
          <TextField
            label="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            error={errors.name}
            autoComplete="off"
            required
          />
          <TextField
            label="Priority"
            hint="0–10000; lower runs first."
            inputMode="numeric"
            value={form.priority}
            onChange={(e) => setForm({ ...form, priority: e.target.value })}
            error={errors.priority}
          />
        </div>
        <fieldset className="st-choices st-inline">
          <legend>Effect</legend>
          {(['deny', 'allow'] as const).map((effect) => (
            <label key={effect} className="st-choice">
              <input
                type="radio"
                name="effect"
                value={effect}
                checked={form.effect === effect}
                onChange={() => setForm({ ...form, effect })}
              />
              <strong>{effect === 'deny' ? 'Deny' : 'Allow'}</strong>
            </label>
          ))}
        </fieldset>
        <label className="st-check">
          <input
            type="checkbox"
            checked={form.effect === 'allow' && form.requireApproval}
            disabled={form.effect !== 'allow'}
            onChange={(e) => setForm({ ...form, requireApproval: e.target.checked })}
          />
          Require an operator's approval
          {form.effect !== 'allow' && <span className="muted"> (only for allow rules)</span>}
        </label>
        <fieldset className="st-choices st-inline">
          <legend>Applies to roles (none checked: every role)</legend>
          {roles.map((role) => (
            <label key={role} className="st-choice">
              <input
                type="checkbox"
                checked={form.roles.includes(role)}
                onChange={(e) => toggleRole(role, e.target.checked)}
              />
              {role}
            </label>
          ))}
          {errors.roles && <span className="st-error">✕ {errors.roles}</span>}
        </fieldset>
        <div className="st-row">
          {matcher('source')}
          {matcher('target')}
        </div>
        <div className="st-form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : policy ? 'Save policy' : 'Add policy'}
          </button>
          <Link to="/settings/policies">Cancel</Link>
        </div>
      </form>
    </section>
  );
}

import type { Role } from '@dolly/authz';
import { PROD_GUARD } from '@dolly/authz';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { SelectField, TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { StateLabel } from '../components/state-label.tsx';
import { grantableRoles } from '../permissions.ts';
import { fieldErrors, problemOf } from '../problem.ts';
import { useSettingsScope } from '../settings-context.ts';
import { type EndpointForm, type EvaluateBody, evaluateBody, type PolicyDecision } from './policy-form.ts';

const blank: EndpointForm = { env: '', cluster: '', namespace: '' };

/** "Would this be allowed?" against the stored policies, through POST /api/v1/policies/evaluate. */
export function EvaluatePanel() {
  const { session } = useSettingsScope();
  const [action, setAction] = useState<'clone' | 'migrate'>('clone');
  const [role, setRole] = useState<Role>(session.role);
  const [source, setSource] = useState<EndpointForm>({ ...blank, env: 'prod' });
  const [target, setTarget] = useState<EndpointForm>({ ...blank, env: 'dev' });
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const evaluate = useMutation({
    mutationFn: (body: EvaluateBody) => unwrap(dolly.POST('/api/v1/policies/evaluate', { body })),
  });
  const server = fieldErrors(problemOf(evaluate.error), [
    'action',
    'role',
    'source.env',
    'source.cluster',
    'source.namespace',
    'target.env',
    'target.cluster',
    'target.namespace',
  ]);
  const errors = { ...server.byPath, ...localErrors };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    evaluate.reset();
    const body = evaluateBody(action, role, source, target);
    setLocalErrors(body.ok ? {} : body.errors);
    if (body.ok) evaluate.mutate(body.value);
  };
  const endpoint = (which: 'source' | 'target', value: EndpointForm, set: (v: EndpointForm) => void) => (
    <fieldset className="st-endpoint">
      <legend>{which === 'source' ? 'From (source)' : 'Into (target)'}</legend>
      <TextField
        label="Environment"
        optional
        value={value.env}
        onChange={(e) => set({ ...value, env: e.target.value })}
        error={errors[`${which}.env`]}
        autoComplete="off"
      />
      <TextField
        label="Cluster"
        value={value.cluster}
        onChange={(e) => set({ ...value, cluster: e.target.value })}
        error={errors[`${which}.cluster`]}
        autoComplete="off"
        required
      />
      <TextField
        label="Namespace"
        optional
        value={value.namespace}
        onChange={(e) => set({ ...value, namespace: e.target.value })}
        error={errors[`${which}.namespace`]}
        autoComplete="off"
      />
    </fieldset>
  );
  return (
    <form className="st-card st-form" onSubmit={submit} noValidate aria-labelledby="st-evaluate">
      <h3 id="st-evaluate">Test a request</h3>
      <p className="muted">Checks a clone or migration against the prod guard and the policies above.</p>
      <FormProblem error={evaluate.error} fields={server} />
      <div className="st-row">
        <SelectField
          label="Action"
          value={action}
          onChange={(e) => setAction(e.target.value as 'clone' | 'migrate')}
        >
          <option value="clone">clone</option>
          <option value="migrate">migrate</option>
        </SelectField>
        <SelectField
          label="As role"
          hint="Your own role or one below it."
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          error={errors.role}
        >
          {grantableRoles(session.role).map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="st-row">
        {endpoint('source', source, setSource)}
        {endpoint('target', target, setTarget)}
      </div>
      <div className="st-form-actions">
        <button type="submit" disabled={evaluate.isPending}>
          {evaluate.isPending ? 'Checking…' : 'Evaluate'}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {evaluate.data && <Decision decision={evaluate.data} />}
      </div>
    </form>
  );
}

function Decision({ decision }: { decision: PolicyDecision }) {
  const rule = decision.rule === PROD_GUARD ? 'the built-in prod guard' : decision.rule;
  return (
    <div className="st-decision" data-allowed={decision.allowed}>
      {decision.allowed ? (
        <StateLabel tone={decision.requireApproval ? 'attention' : 'success'}>
          {decision.requireApproval ? 'Allowed after approval' : 'Allowed'}
        </StateLabel>
      ) : (
        <StateLabel tone="danger">Denied</StateLabel>
      )}
      <p>{decision.reason}</p>
      <p className="st-small muted">
        Decided by: <strong>{rule}</strong>
      </p>
    </div>
  );
}

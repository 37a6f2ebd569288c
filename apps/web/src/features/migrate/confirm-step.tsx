import type { PolicyDecision, Role } from '@dolly/authz';
import { useMutation } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { firstRefusal, refuse } from '../../lib/abilities.ts';
import { startMigration } from './migrate-api.ts';
import { type MigrationBody, migratePermission, secretsPermission } from './migrate-state.ts';
import { type MigrationPlan, planBlocker } from './plan-view.ts';

interface Props {
  plan: MigrationPlan;
  body: MigrationBody;
  decision: PolicyDecision | undefined;
  role: Role;
}

/** Step 5: what will happen, the policy verdict, then start the run and go to it. */
export function ConfirmStep({ plan, body, decision, role }: Props) {
  const navigate = useNavigate();
  const bodyJson = JSON.stringify(body);
  // One key per confirmed request: a double click or a resent POST never starts it twice.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key whenever the request changes
  const idempotencyKey = useMemo(() => `migrate:${crypto.randomUUID()}`, [bodyJson]);
  const start = useMutation({
    mutationFn: () => startMigration(body, idempotencyKey),
    onSuccess: (run) => navigate(`/runs/${run.id}`),
  });
  const blocker = planBlocker(plan);
  const allowed = firstRefusal(
    migratePermission(role),
    body.includeSecrets ? secretsPermission(role) : undefined,
    decision && !decision.allowed ? refuse(decision.reason) : undefined,
    blocker ? refuse(blocker) : undefined,
  );
  const s = plan.summary;
  return (
    <div className="wizard-step">
      <ul className="confirm-list">
        <li>
          From <strong>{plan.source.name}</strong> ({plan.source.cloud}) into{' '}
          <strong>{plan.target.name}</strong> ({plan.target.cloud})
        </li>
        {plan.namespaces.map((n) => (
          <li key={n.source}>
            Namespace <code>{n.source}</code> → <code>{n.target}</code>
          </li>
        ))}
        <li>
          {s.create} object{s.create === 1 ? '' : 's'} to create, {s.update} to update
          {body.copyVolumes ? `, ${s.volumes} volume${s.volumes === 1 ? '' : 's'} to copy` : ''}
          {body.includeSecrets ? ', Secrets included' : ', without Secrets'}
          {body.cutover ? ', with cutover (the source is scaled down)' : ''}
        </li>
      </ul>
      {decision && (
        <p className={decision.allowed ? undefined : 'error'}>
          <span aria-hidden="true">{decision.allowed ? '✓ ' : '⊘ '}</span>
          Policy: {decision.reason} <code className="rule">{decision.rule}</code>
        </p>
      )}
      {decision?.allowed && decision.requireApproval && (
        <p className="note">
          <span aria-hidden="true">! </span>
          Pending approval: the run starts once an operator approves it.
        </p>
      )}
      <ActionButton permission={allowed} busy={start.isPending} onClick={() => start.mutate()}>
        {start.isPending ? 'Starting…' : 'Start migration'}
      </ActionButton>
      <ProblemAlert error={start.error} />
    </div>
  );
}

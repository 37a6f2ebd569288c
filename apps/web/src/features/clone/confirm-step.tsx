import type { ClonePolicyRule, Role } from '@dolly/authz';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { firstRefusal, permission, refuse } from '../../lib/abilities.ts';
import type { CloudAccount, ClusterSummary } from '../../lib/clusters.ts';
import { type ApplyWorkloads, applyPlan, planDocument, type StoredPlan } from '../../lib/plans.ts';
import { decideClone } from '../../lib/policies.ts';

interface Props {
  plan: StoredPlan;
  accounts: readonly CloudAccount[];
  role: Role;
  rules: ClonePolicyRule[];
  inventory: readonly ClusterSummary[];
  /** a clone with workloads: migrated into the clone once it exists */
  workloads?: ApplyWorkloads | undefined;
}

/**
 * Protected targets (prod) need a typed confirmation, as the API requires: the target cluster's
 * name for one cluster, the target account's name for several (the account name also works for one).
 */
export function confirmationNames(plan: StoredPlan, accountName: string | undefined): string[] {
  if (plan.targetEnvironment !== 'prod') return [];
  const items = planDocument(plan).items;
  const single = items.length === 1 ? items[0]?.target.name : undefined;
  return [single, accountName].filter((n): n is string => Boolean(n));
}

/** Step 5: policy verdict, typed confirmation for prod, then apply and go to the run. */
export function ConfirmStep({ plan, accounts, role, rules, inventory, workloads }: Props) {
  const navigate = useNavigate();
  const document = planDocument(plan);
  const accepted = confirmationNames(plan, accounts.find((a) => a.id === plan.targetAccountId)?.name);
  const expected = accepted[0];
  const [typed, setTyped] = useState('');
  // One key per plan version: a double click or a resent request never starts the clone twice.
  const idempotencyKey = useMemo(
    () => `${plan.id}:${plan.updatedAt}:${crypto.randomUUID()}`,
    [plan.id, plan.updatedAt],
  );
  const decision = decideClone(
    role,
    rules,
    document.items.map((item) => {
      const source = inventory.find(
        (c) => c.name === item.source.name && c.location === item.source.location,
      );
      return {
        source: { env: source?.environment ?? item.source.environment ?? null, cluster: item.source.name },
        target: { env: plan.targetEnvironment, cluster: item.target.name },
      };
    }),
  );
  const apply = useMutation({
    mutationFn: () =>
      applyPlan(plan.id, {
        ...(expected ? { confirm: typed } : {}),
        ...(workloads ? { workloads } : {}),
        idempotencyKey,
      }),
    onSuccess: (runs) => {
      const [first] = runs;
      if (runs.length === 1 && first) navigate(`/runs/${first.id}`);
      else navigate(`/runs?planId=${plan.id}`);
    },
  });
  const allowed = firstRefusal(
    permission(role, 'clone'),
    decision.allowed ? undefined : refuse(decision.reason),
    expected && !accepted.includes(typed) ? refuse(`Type ${expected} to confirm`) : undefined,
  );
  return (
    <div className="wizard-step">
      <ul className="confirm-list">
        {document.items.map((item) => (
          <li key={`${item.source.scope}/${item.source.location}/${item.source.name}`}>
            <strong>{item.target.name}</strong> in {item.target.cloud} {item.target.location} (from{' '}
            {item.source.name})
          </li>
        ))}
      </ul>
      {workloads && (
        <p>
          Then migrate <strong>{workloads.namespaces.join(', ')}</strong>
          {workloads.includeSecrets ? ' with Secrets' : ''}
          {workloads.copyVolumes ? ' and their volumes' : ''} into the new cluster: one run with a clone and a
          migration, retried and rolled back as one.
        </p>
      )}
      <p className={decision.allowed ? undefined : 'error'}>
        <span aria-hidden="true">{decision.allowed ? '✓ ' : '⊘ '}</span>
        Policy: {decision.reason} <code className="rule">{decision.rule}</code>
      </p>
      {decision.allowed && (decision.requireApproval || plan.requiresApproval) && (
        <p className="note">
          <span aria-hidden="true">! </span>
          Pending approval: the runs start once an operator approves them.
        </p>
      )}
      {expected && (
        <div className="danger-zone">
          <p>
            <span aria-hidden="true">▲ </span>
            The target environment is <strong>prod</strong>. Type <code>{expected}</code>
            {accepted[1] ? (
              <>
                {' '}
                (or the account name <code>{accepted[1]}</code>)
              </>
            ) : null}{' '}
            to confirm.
          </p>
          <label>
            Confirmation
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </label>
        </div>
      )}
      <ActionButton permission={allowed} busy={apply.isPending} onClick={() => apply.mutate()}>
        {apply.isPending
          ? 'Starting…'
          : workloads
            ? 'Clone with workloads'
            : document.items.length === 1
              ? 'Clone cluster'
              : `Clone ${document.items.length} clusters`}
      </ActionButton>
      <ProblemAlert error={apply.error} />
    </div>
  );
}

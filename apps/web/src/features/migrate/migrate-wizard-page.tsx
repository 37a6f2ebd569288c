import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StepRail } from '../../components/step-rail.tsx';
import { useInventory } from '../../lib/clusters.ts';
import { usePageTitle } from '../../lib/page-title.ts';
import { useClonePolicyRules } from '../../lib/policies.ts';
import { useCurrentSession } from '../../lib/session-context.ts';
import { ConfirmStep } from './confirm-step.tsx';
import { MappingsStep } from './mappings-step.tsx';
import { dryRunMigration } from './migrate-api.ts';
import {
  buildMigrationBody,
  decideMigration,
  initialMigrateState,
  type MigrateState,
  type MigrateStep,
  migratePermission,
  migrateSteps,
  namespacePairs,
  stepBlocker,
} from './migrate-state.ts';
import { ReviewStep } from './review-step.tsx';
import { SourceStep } from './source-step.tsx';
import { TargetStep } from './target-step.tsx';
import './migrate.css';

/** Keeps the cheap part of the wizard (clusters, namespaces) in the URL so a reload keeps it. */
function useUrlSync(state: MigrateState) {
  const [, setParams] = useSearchParams();
  const { sourceClusterId, targetClusterId, namespacesText } = state;
  useEffect(() => {
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        const put = (key: string, value: string) => (value ? next.set(key, value) : next.delete(key));
        put('source', sourceClusterId);
        put('target', targetClusterId);
        put('ns', namespacesText);
        return next;
      },
      { replace: true },
    );
  }, [sourceClusterId, targetClusterId, namespacesText, setParams]);
}

export function MigrateWizardPage() {
  usePageTitle('Migrate');
  const session = useCurrentSession();
  const canMigrate = migratePermission(session.role);
  const [params] = useSearchParams();
  const [state, setState] = useState(() =>
    initialMigrateState({ source: params.get('source'), target: params.get('target'), ns: params.get('ns') }),
  );
  const [step, setStep] = useState<MigrateStep>('source');
  useUrlSync(state);
  const inventory = useInventory();
  const rules = useClonePolicyRules();
  const source = inventory.data?.find((c) => c.id === state.sourceClusterId);
  const target = inventory.data?.find((c) => c.id === state.targetClusterId);
  const decision =
    source && target
      ? decideMigration(session.role, rules.data ?? [], source, target, namespacePairs(state))
      : undefined;
  const body = useMemo(() => buildMigrationBody(state, true), [state]);
  const dryRun = useQuery({
    queryKey: ['migration-dry-run', body],
    queryFn: () => dryRunMigration(body),
    enabled: step === 'review' || step === 'confirm',
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 60_000,
    retry: false,
  });

  if (!canMigrate.allowed)
    return (
      <section>
        <h1>Migrate namespaces</h1>
        <DisabledReason reason={canMigrate.reason} />
      </section>
    );

  const index = migrateSteps.findIndex((s) => s.key === step);
  const update = (patch: Partial<MigrateState>) => setState((s) => ({ ...s, ...patch }));
  const blocker =
    step === 'review'
      ? dryRun.data
        ? undefined
        : dryRun.error
          ? 'The dry run failed: go back and change the request'
          : 'The dry run has not answered yet'
      : stepBlocker(step, state, {
          ...(source ? { source } : {}),
          ...(target ? { target } : {}),
          ...(decision ? { decision } : {}),
          role: session.role,
        });
  const loading = inventory.isPending || rules.isPending;
  const next = migrateSteps[index + 1]?.key;

  return (
    <section aria-labelledby="migrate-heading" className="wizard">
      <h1 id="migrate-heading">Migrate namespaces</h1>
      <StepRail
        steps={migrateSteps}
        current={step}
        reachable={(key) => migrateSteps.findIndex((s) => s.key === key) < index}
        onSelect={(key) => setStep(key as MigrateStep)}
      />
      <h2>{migrateSteps[index]?.label}</h2>
      <ProblemAlert error={inventory.error ?? rules.error} />
      {loading && <p role="status">Loading…</p>}
      {!loading && step === 'source' && (
        <SourceStep state={state} onChange={update} inventory={inventory.data ?? []} role={session.role} />
      )}
      {!loading && step === 'target' && (
        <TargetStep
          state={state}
          onChange={update}
          inventory={inventory.data ?? []}
          source={source}
          role={session.role}
          rules={rules.data ?? []}
        />
      )}
      {!loading && step === 'mappings' && (
        <MappingsStep state={state} onChange={update} role={session.role} source={source} />
      )}
      {(step === 'review' || step === 'confirm') && dryRun.isFetching && (
        <p role="status">Running the dry run: reading both clusters…</p>
      )}
      {(step === 'review' || step === 'confirm') && <ProblemAlert error={dryRun.error} />}
      {step === 'review' && dryRun.data && (
        <ReviewStep
          plan={dryRun.data}
          body={body}
          onRerun={() => void dryRun.refetch()}
          rerunning={dryRun.isFetching}
        />
      )}
      {step === 'confirm' && dryRun.data && (
        <ConfirmStep plan={dryRun.data} body={body} decision={decision} role={session.role} />
      )}
      <div className="wizard-nav" data-step={step}>
        {index > 0 && (
          <button
            type="button"
            className="secondary"
            onClick={() => setStep(migrateSteps[index - 1]?.key ?? 'source')}
          >
            Back
          </button>
        )}
        {next && (
          <>
            <button
              type="button"
              onClick={() => setStep(next)}
              disabled={Boolean(blocker) || loading}
              aria-describedby={blocker ? 'migrate-blocker' : undefined}
            >
              {step === 'mappings' ? 'Dry run' : step === 'review' ? 'Continue to confirm' : 'Next'}
            </button>
            {blocker && !dryRun.isFetching && <DisabledReason id="migrate-blocker" reason={blocker} />}
          </>
        )}
      </div>
    </section>
  );
}

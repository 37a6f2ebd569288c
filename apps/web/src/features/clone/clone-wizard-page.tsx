import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StepRail } from '../../components/step-rail.tsx';
import { type ClusterSummary, useCloneableAccounts, useCloneableInventory } from '../../lib/clusters.ts';
import { usePageTitle } from '../../lib/page-title.ts';
import { createPlan, getPlan, planDocument, type StoredPlan, updatePlan } from '../../lib/plans.ts';
import { useClonePolicyRules } from '../../lib/policies.ts';
import { useCurrentSession, usePermission } from '../../lib/session-context.ts';
import { ConfirmStep } from './confirm-step.tsx';
import { OptionsStep } from './options-step.tsx';
import { applyWizardOptions } from './plan-options.ts';
import { ReviewStep } from './review-step.tsx';
import { SourceStep } from './source-step.tsx';
import { TargetStep } from './target-step.tsx';
import { WorkloadsStep } from './workloads-step.tsx';
import {
  initialWizardState,
  selectedSources,
  sourceBody,
  stepBlocker,
  type WizardState,
  type WizardStep,
  wizardSteps,
  workloadsBody,
} from './wizard-state.ts';

/** POST the plan with the wizard's choices, then PUT the options the API cannot take at creation. */
async function buildPlan(state: WizardState): Promise<{ plan: StoredPlan; optionsError?: unknown }> {
  const { target, options } = state;
  const plan = await createPlan({
    source: sourceBody(state.source),
    target: {
      accountId: target.accountId as string,
      ...(target.location ? { location: target.location } : {}),
      ...(target.scope ? { scope: target.scope } : {}),
      ...(target.environment ? { environment: target.environment } : {}),
      ...(options.namePrefix ? { namePrefix: options.namePrefix } : {}),
      ...(options.nameSuffix ? { nameSuffix: options.nameSuffix } : {}),
      ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    },
  });
  const document = planDocument(plan);
  const adjusted = applyWizardOptions(document, options, plan.targetEnvironment);
  if (adjusted === document) return { plan };
  try {
    return { plan: await updatePlan(plan.id, adjusted) };
  } catch (optionsError) {
    return { plan, optionsError };
  }
}

export function CloneWizardPage() {
  usePageTitle('Clone');
  const session = useCurrentSession();
  const canClone = usePermission('clone');
  const [params, setParams] = useSearchParams();
  const planParam = params.get('plan');
  const [state, setState] = useState(() => initialWizardState(params.getAll('source')));
  const [step, setStep] = useState<WizardStep>(planParam ? 'review' : 'source');
  const [built, setBuilt] = useState<{ plan: StoredPlan; optionsError?: unknown }>();
  // imported clusters can be migrated, not cloned: neither source nor target here
  const inventory = useCloneableInventory();
  const accounts = useCloneableAccounts();
  const rules = useClonePolicyRules();
  // After a reload on the review or confirm step, the plan comes back from the API by its id.
  const stored = useQuery({
    queryKey: ['plan', planParam],
    queryFn: () => getPlan(planParam as string),
    enabled: Boolean(planParam) && !built,
  });
  const plan = built?.plan ?? stored.data;
  const sources = useMemo(
    () => selectedSources(inventory.data ?? [], state.source),
    [inventory.data, state.source],
  );
  const build = useMutation({
    mutationFn: () => buildPlan(state),
    onSuccess: (result) => {
      setBuilt(result);
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.delete('source');
        next.set('plan', result.plan.id);
        return next;
      });
      setStep('review');
    },
  });

  if (!canClone.allowed)
    return (
      <section>
        <h1>Clone clusters</h1>
        <DisabledReason reason={canClone.reason} />
      </section>
    );

  const index = wizardSteps.findIndex((s) => s.key === step);
  const go = (to: WizardStep) => setStep(to);
  const blocker = stepBlocker(step, state, sources);
  const update = (patch: Partial<WizardState>) => setState((s) => ({ ...s, ...patch }));
  const loading = inventory.isPending || accounts.isPending || rules.isPending;

  return (
    <section aria-labelledby="clone-heading" className="wizard">
      <h1 id="clone-heading">Clone clusters</h1>
      <StepRail
        steps={wizardSteps}
        current={step}
        // Without a plan (after a reload) the earlier steps have nothing to show: start over instead.
        reachable={(key) =>
          wizardSteps.findIndex((s) => s.key === key) < index &&
          (key !== 'source' || !planParam || Boolean(built))
        }
        onSelect={(key) => go(key as WizardStep)}
      />
      <h2>{wizardSteps[index]?.label}</h2>
      <ProblemAlert error={inventory.error ?? accounts.error ?? rules.error ?? stored.error} />
      {loading && <p role="status">Loading…</p>}
      {!loading && step === 'source' && (
        <SourceStep
          source={state.source}
          onChange={(source) => update({ source })}
          inventory={inventory.data ?? []}
          accounts={accounts.data ?? []}
          selected={sources}
        />
      )}
      {!loading && step === 'target' && (
        <TargetStep
          target={state.target}
          onChange={(target) => update({ target })}
          source={state.source}
          options={state.options}
          sources={sources}
          accounts={accounts.data ?? []}
          inventory={inventory.data ?? []}
          role={session.role}
          rules={rules.data ?? []}
        />
      )}
      {!loading && step === 'workloads' && (
        <WorkloadsStep
          workloads={state.workloads}
          onChange={(workloads) => update({ workloads })}
          sources={sources}
          role={session.role}
        />
      )}
      {!loading && step === 'options' && (
        <OptionsStep options={state.options} onChange={(options) => update({ options })} sources={sources} />
      )}
      {step === 'review' && plan && (
        <ReviewStep
          plan={plan}
          onPlanChange={(p) => setBuilt({ plan: p })}
          optionsError={built?.optionsError}
          accounts={accounts.data ?? []}
        />
      )}
      {step === 'confirm' && plan && (
        <ConfirmStep
          plan={plan}
          accounts={accounts.data ?? []}
          role={session.role}
          rules={rules.data ?? []}
          inventory={inventory.data ?? ([] as ClusterSummary[])}
          workloads={workloadsBody(state.workloads)}
        />
      )}
      {(step === 'review' || step === 'confirm') && !plan && stored.isPending && (
        <p role="status">Loading the plan…</p>
      )}
      <WizardNav
        step={step}
        blocker={blocker}
        busy={build.isPending}
        onBack={
          index > 0 && (step !== 'review' || !planParam || built)
            ? () => go(wizardSteps[index - 1]?.key ?? 'source')
            : undefined
        }
        onNext={
          step === 'options'
            ? () => build.mutate()
            : step === 'confirm' || (step === 'review' && !plan)
              ? undefined
              : () => go(wizardSteps[index + 1]?.key ?? step)
        }
        nextLabel={step === 'options' ? 'Make the plan' : step === 'review' ? 'Continue to confirm' : 'Next'}
      />
      <ProblemAlert error={build.error} />
    </section>
  );
}

function WizardNav({
  step,
  blocker,
  busy,
  onBack,
  onNext,
  nextLabel,
}: {
  step: WizardStep;
  blocker: string | undefined;
  busy: boolean;
  onBack?: () => void;
  onNext?: () => void;
  nextLabel: string;
}) {
  return (
    <div className="wizard-nav" data-step={step}>
      {onBack && (
        <button type="button" className="secondary" onClick={onBack}>
          Back
        </button>
      )}
      {onNext && (
        <>
          <button
            type="button"
            onClick={onNext}
            disabled={Boolean(blocker) || busy}
            aria-describedby={blocker ? 'wizard-blocker' : undefined}
          >
            {busy ? 'Planning…' : nextLabel}
          </button>
          {blocker && <DisabledReason id="wizard-blocker" reason={blocker} />}
        </>
      )}
    </div>
  );
}

/**
 * The environment a plan's clones land in, as the stored plan says it: the labels and decisions
 * each item carries, the plan's own environment, and how a refusal names what to change. Pure:
 * planning, editing (API) and anything that rewrites a plan share them.
 */
import { DollyError } from '@dolly/contracts';
import { type ClonePlanItem, ENVIRONMENT_LABELS } from '@dolly/model';
import type { CloneTarget } from './clone.ts';

/** The plan's environment: the one every item shares; none shared (or unknown) = null = prod. */
export function planEnvironment(targets: Pick<CloneTarget, 'environment'>[]): string | null {
  const envs = new Set(targets.map((t) => t.environment.environment));
  return envs.size === 1 ? ([...envs][0] ?? null) : null;
}

/**
 * A refusal when neither the request nor the account names an environment: say what to do about
 * the unknown one (it counts as prod).
 */
export function explainUnknownEnvironment(
  named: string | null | undefined,
  field = 'body.target.environment',
) {
  return (error: unknown): never => {
    if (error instanceof DollyError && error.code === 'policy_denied' && !named)
      throw new DollyError(
        error.code,
        `${error.message}. Name a non-prod ${field.replace(/^body\./, '')}, or ask an admin to set the account's default environment`,
        [{ path: field, message: 'no environment named; the target counts as prod' }],
      );
    throw error;
  };
}

/**
 * An edit the policy refuses names what the editor changed: the environment they typed, or else the
 * document (its targets), so a developer editing their own plan into prod is told at the PUT.
 */
export function nameRefusedEdit(field: 'body.targetEnvironment' | 'body.document') {
  return (error: unknown): never => {
    if (error instanceof DollyError && error.code === 'policy_denied' && !error.errors?.length)
      throw new DollyError(error.code, error.message, [
        { path: field, message: 'the edited plan would write where your role may not' },
      ]);
    throw error;
  };
}

/**
 * A copy of prod into dev must not carry `env: prod`: the next sync would read the label and call
 * the clone prod. The labels follow the environment admission derived for the item, and the plan
 * says so (an unknown environment too: it is treated as prod). The provenance label names the
 * stored plan, as apply's resources will.
 */
export function withTargetEnvironment(
  item: ClonePlanItem,
  target: Pick<CloneTarget, 'environment'> | undefined,
  planId: string,
): ClonePlanItem {
  const labels: Record<string, string> = { ...item.target.labels, 'dolly-plan': planId };
  const decisions = item.decisions.filter(
    (d) => d.rule !== 'labels.target-environment' && d.rule !== 'environment.target',
  );
  const environment = target?.environment.environment ?? null;
  decisions.push({
    path: 'environment',
    from: item.source.environment ?? null,
    to: environment ?? 'unknown (treated as prod)',
    rule: 'environment.target',
    reason: target?.environment.reason ?? 'no environment is known: treated as prod',
  });
  for (const key of ENVIRONMENT_LABELS) {
    if (!environment || labels[key] === undefined || labels[key] === environment) continue;
    decisions.push({
      path: `labels["${key}"]`,
      from: labels[key],
      to: environment,
      rule: 'labels.target-environment',
      reason: `the clone lives in ${environment}; keeping "${key}: ${labels[key]}" would make the inventory call it ${labels[key]}`,
    });
    labels[key] = environment;
  }
  return { ...item, target: { ...item.target, labels }, decisions };
}

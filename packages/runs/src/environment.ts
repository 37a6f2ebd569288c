import type { Role } from '@dolly/authz';
import { type EnvironmentWorkloads, environmentWorkloadsSchema } from '@dolly/contracts';
import type { Cluster, Database, Run } from '@dolly/db';
import { z } from 'zod';
import { AdmissionError } from './admission-error.ts';
import {
  admitCloneApply,
  admitCloneRun,
  type CloneAdmission,
  type CloneAdmissionRequest,
  cloneRunInputSchema,
} from './clone.ts';
import { assessMigration } from './migrate.ts';
import type { PolicyOutcome } from './policy.ts';

/**
 * A clone with workloads (kind `environment`): one parent run that clones a plan item (a child
 * `clone` run), then migrates namespaces of the item's source into the new cluster (a child
 * `migrate` run). The parent holds what both children are asked to do, so a retry asks the same.
 */
export const environmentRunInputSchema = z.object({
  title: z.string(),
  /** the clone child's input, exactly as a plain apply would store it */
  clone: cloneRunInputSchema,
  workloads: environmentWorkloadsSchema,
});
export type EnvironmentRunInput = z.infer<typeof environmentRunInputSchema>;

/** The parent's steps that each stand for a child run. */
export const ENVIRONMENT_CHILD_STEPS = ['clone', 'migrate'] as const;
export type EnvironmentChildStep = (typeof ENVIRONMENT_CHILD_STEPS)[number];

/**
 * The Idempotency-Key of the child a parent run creates for a step: a re-delivered parent finds
 * the child it already made instead of making a second one.
 */
export const childRunKey = (parentRunId: string, step: string) => `environment:${parentRunId}:${step}`;

/** States of a child that a rollback of the parent undoes (the same as a run's own rollback). */
export const ROLLBACKABLE_STATUSES: readonly Run['status'][] = [
  'failed',
  'cancelled',
  'succeeded',
  'partially_succeeded',
];

/**
 * A retried parent keeps a child step only when its child fully succeeded: a partially succeeded
 * migration is tried again (as a retry of that child), not reported again.
 */
export function reusableChildStep(step: { key: string; output: unknown }): boolean {
  if (!(ENVIRONMENT_CHILD_STEPS as readonly string[]).includes(step.key)) return true;
  return (step.output as { status?: unknown } | null)?.status === 'succeeded';
}

export interface EnvironmentAdmission extends PolicyOutcome {
  clone: CloneAdmission;
  migrate: PolicyOutcome;
  source: Cluster;
}

async function sourceCluster(db: Database, tenantId: string, id: string | null): Promise<Cluster> {
  const source = id ? await db.cluster.findFirst({ where: { id, tenantId, vanishedAt: null } }) : null;
  if (!source)
    throw new AdmissionError(
      'validation_failed',
      'Workloads are migrated from the source cluster of the plan item, and it is not in the inventory',
      [{ path: 'body.workloads', message: 'the plan item has no inventory source cluster' }],
    );
  return source;
}

/**
 * Both children's rules at once: the clone's (policy, prod guard) for the target, and the
 * migration's (system namespaces, Secrets, source writes, namespace pairs) into the cluster the
 * clone will be, judged by the environment the clone gives it. Approval if either would need it.
 */
function combine(
  clone: CloneAdmission,
  role: Role,
  source: Cluster,
  workloads: EnvironmentWorkloads,
): EnvironmentAdmission {
  const target = clone.targets[0];
  if (!target) throw new AdmissionError('validation_failed', 'The plan has no such item');
  const migrate = assessMigration(
    clone.ctx,
    role,
    workloads,
    { source, target: { environment: target.environment.environment, name: target.item.target.name } },
    undefined,
    'body.workloads',
  );
  return {
    clone,
    migrate,
    source,
    requireApproval: clone.requireApproval || migrate.requireApproval,
    decisions: [...clone.decisions, ...migrate.decisions],
  };
}

/** Apply of one plan item with workloads: checked up front as both children will check it. */
export async function admitEnvironmentApply(
  db: Database,
  req: CloneAdmissionRequest & {
    index: number;
    sourceClusterId: string | null;
    workloads: EnvironmentWorkloads;
    confirm?: string | undefined;
    idempotencyKey?: string | undefined;
  },
): Promise<EnvironmentAdmission> {
  const clone = await admitCloneApply(db, { ...req, indexes: [req.index] });
  const source = await sourceCluster(db, req.tenantId, req.sourceClusterId);
  return combine(clone, req.role, source, req.workloads);
}

/** The parent as it starts (worker) or is retried (API): the same checks with today's role and inventory. */
export async function admitEnvironmentRun(
  db: Database,
  req: { tenantId: string; role: Role; input: EnvironmentRunInput },
): Promise<EnvironmentAdmission> {
  const clone = await admitCloneRun(db, { tenantId: req.tenantId, role: req.role, input: req.input.clone });
  const source = await sourceCluster(db, req.tenantId, req.input.clone.sourceClusterId);
  return combine(clone, req.role, source, req.input.workloads);
}

export interface EnvironmentChild {
  step: EnvironmentChildStep;
  run: Run;
}

/**
 * The latest child of each step of a parent. `chain` is the parent and the parents it retried,
 * newest first: a retried parent that reused a succeeded child has that child from an earlier
 * attempt, one that retried a failed child has its own.
 */
export async function environmentChildren(
  db: Database,
  tenantId: string,
  chain: Pick<Run, 'id'>[],
): Promise<EnvironmentChild[]> {
  const keys = chain.flatMap((p) => ENVIRONMENT_CHILD_STEPS.map((step) => childRunKey(p.id, step)));
  const runs = keys.length
    ? await db.run.findMany({ where: { tenantId, idempotencyKey: { in: keys } } })
    : [];
  const out: EnvironmentChild[] = [];
  for (const step of ENVIRONMENT_CHILD_STEPS) {
    for (const parent of chain) {
      const child = runs.find((r) => r.idempotencyKey === childRunKey(parent.id, step));
      if (child) {
        out.push({ step, run: child });
        break;
      }
    }
  }
  return out;
}

import { isDeepStrictEqual } from 'node:util';
import { type Role, type TargetEnvironment, targetEnvironment } from '@dolly/authz';
import type { CloudAccount, Database } from '@dolly/db';
import {
  type ClonePlanItem,
  clonePlanItemSchema,
  clonePlanSchema,
  environmentFromLabels,
} from '@dolly/model';
import { z } from 'zod';
import { AdmissionError } from './admission-error.ts';
import {
  ACTIVE_STATUSES,
  type AdmissionContext,
  assessPairs,
  type EndpointPair,
  loadAdmissionContext,
  type PolicyOutcome,
} from './policy.ts';

export interface StoredPlanLike {
  id: string;
  sourceClusterIds: string[];
  targetEnvironment: string | null;
  document: unknown;
}

export interface CloneTarget extends EndpointPair {
  index: number;
  item: ClonePlanItem;
  environment: TargetEnvironment;
}

/**
 * Source and target of every plan item as admission sees them: the source's environment from the
 * inventory (never the document's own), the target's from `targetEnvironment` over the account,
 * the request, the labels the clone carries and any inventory cluster already where it goes.
 */
export async function cloneTargets(
  db: Database,
  ctx: AdmissionContext,
  tenantId: string,
  plan: StoredPlanLike,
  account: Pick<CloudAccount, 'id' | 'defaultEnvironment'>,
): Promise<CloneTarget[]> {
  const doc = clonePlanSchema.parse(plan.document);
  const [sources, existing] = await Promise.all([
    db.cluster.findMany({ where: { tenantId, id: { in: plan.sourceClusterIds } } }),
    db.cluster.findMany({
      where: {
        tenantId,
        accountId: account.id,
        vanishedAt: null,
        name: { in: doc.items.map((i) => i.target.name) },
      },
    }),
  ]);
  return doc.items.map((item, index) => {
    const src = sources.find((c) => c.name === item.source.name && c.location === item.source.location);
    const there = existing.find((c) => c.name === item.target.name && c.location === item.target.location);
    const environment = targetEnvironment(
      {
        accountEnvironment: account.defaultEnvironment,
        requested: plan.targetEnvironment,
        labelEnvironment: environmentFromLabels(item.target.labels),
        existingEnvironment: there ? { environment: there.environment } : null,
      },
      ctx.settings,
    );
    return {
      index,
      item,
      environment,
      source: { env: src?.environment ?? null, cluster: item.source.name },
      target: { env: environment.environment, cluster: item.target.name },
    };
  });
}

export interface CloneAdmissionRequest {
  tenantId: string;
  role: Role;
  plan: StoredPlanLike;
  account: Pick<CloudAccount, 'id' | 'name' | 'defaultEnvironment'>;
  /** items to admit; default all */
  indexes?: number[];
}

export interface CloneAdmission extends PolicyOutcome {
  ctx: AdmissionContext;
  targets: CloneTarget[];
}

/** Policy for planning, editing or reading a plan: every selected item, with the caller's role. */
export async function admitClonePlan(db: Database, req: CloneAdmissionRequest): Promise<CloneAdmission> {
  const ctx = await loadAdmissionContext(db, req.tenantId);
  const all = await cloneTargets(db, ctx, req.tenantId, req.plan, req.account);
  const targets = req.indexes ? all.filter((t) => req.indexes?.includes(t.index)) : all;
  return { ctx, targets, ...assessPairs(ctx, req.role, 'clone', targets) };
}

/**
 * Apply: policy, then the typed confirmation for a prod-class target (an unknown environment is
 * one), then the busy rule (an item is applied by one run at a time; a repeated Idempotency-Key
 * gets its runs back instead).
 */
export async function admitCloneApply(
  db: Database,
  req: CloneAdmissionRequest & { confirm?: string | undefined; idempotencyKey?: string | undefined },
): Promise<CloneAdmission> {
  const admission = await admitClonePlan(db, req);
  assertProdConfirmed(admission, req.account.name, req.confirm, 'body.confirm');
  const busy = await db.run.findMany({
    where: {
      planId: req.plan.id,
      // a clone with workloads holds its item from the request on, before its clone child exists
      kind: { in: ['clone', 'environment'] },
      planItemIndex: { in: admission.targets.map((t) => t.index) },
      status: { in: [...ACTIVE_STATUSES] },
    },
  });
  const key = req.idempotencyKey;
  if (busy.length && !(key && busy.every((b) => b.idempotencyKey?.startsWith(`${key}#`))))
    throw new AdmissionError(
      'conflict',
      `Item(s) ${busy.map((b) => b.planItemIndex).join(', ')} of this plan are already being applied (run ${busy[0]?.id})`,
    );
  return admission;
}

/**
 * A prod-class target (an unknown environment is one) needs the requester to type the target's name:
 * the cluster's (one item) or the account's. Apply asks for it; a run checks the one apply stored
 * again when it starts, since the target may have become prod in between.
 */
function assertProdConfirmed(
  admission: CloneAdmission,
  accountName: string,
  confirm: string | undefined,
  path: string,
) {
  const prod = admission.targets.filter((t) => t.environment.prodClass);
  if (!prod.length) return;
  const names = admission.targets.map((t) => t.item.target.name);
  const accepted = [accountName, ...(names.length === 1 ? names : [])];
  if (confirm && accepted.includes(confirm)) return;
  throw new AdmissionError(
    'confirmation_required',
    `This creates clusters in prod (${prod[0]?.environment.reason}): repeat ${names.length === 1 ? `the cluster name "${names[0]}" or ` : ''}the account name "${accountName}" in confirm`,
    [{ path, message: confirm ? 'does not match the target name' : 'no confirmation was given' }],
  );
}

/** What apply stores on a clone run: the plan item as it was applied, so retries see the same thing. */
export const cloneRunInputSchema = z.object({
  title: z.string(),
  planId: z.uuid(),
  itemIndex: z.number().int().min(0),
  item: clonePlanItemSchema,
  targetAccountId: z.uuid(),
  targetEnvironment: z.string().nullable(),
  sourceClusterId: z.uuid().nullable(),
  /** the typed prod confirmation apply was given (a target name, not a secret), checked again at run start */
  confirm: z.string().optional(),
});
export type CloneRunInput = z.infer<typeof cloneRunInputSchema>;

/** What apply stores on a clone run and admission reads back. */
export interface CloneRunInputLike {
  planId: string;
  itemIndex: number;
  item: ClonePlanItem;
  targetAccountId: string;
  targetEnvironment: string | null;
  confirm?: string | undefined;
}

/**
 * A clone run as it is about to run (worker) or be retried (API): the plan must still say what the
 * run was asked to do (an edit after apply or approval needs a new apply), and the policy must
 * still allow it for `role` now.
 */
export async function admitCloneRun(
  db: Database,
  req: { tenantId: string; role: Role; input: CloneRunInputLike },
): Promise<CloneAdmission> {
  const { input } = req;
  const [plan, account] = await Promise.all([
    db.plan.findFirst({ where: { id: input.planId, tenantId: req.tenantId } }),
    db.cloudAccount.findFirst({ where: { id: input.targetAccountId, tenantId: req.tenantId } }),
  ]);
  if (!plan) throw new AdmissionError('policy_denied', `the plan ${input.planId} of this run was deleted`);
  if (!account) throw new AdmissionError('policy_denied', 'the target cloud account no longer exists');
  const current = clonePlanSchema.parse(plan.document).items[input.itemIndex];
  if (
    !current ||
    !isDeepStrictEqual(current, input.item) ||
    plan.targetEnvironment !== input.targetEnvironment ||
    plan.targetAccountId !== input.targetAccountId
  )
    throw new AdmissionError(
      'policy_denied',
      `plan ${plan.id} was edited after this run was requested; apply the plan again`,
    );
  const admission = await admitClonePlan(db, {
    tenantId: req.tenantId,
    role: req.role,
    plan,
    account,
    indexes: [input.itemIndex],
  });
  assertProdConfirmed(admission, account.name, input.confirm, 'input.confirm');
  return admission;
}

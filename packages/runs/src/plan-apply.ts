/**
 * Applying a clone plan: the stored plan checked again against the target as it is now, admission,
 * and the runs to start (one clone per item, or one clone with workloads). The runs are started by
 * the caller (the API's `startRun`).
 */
import { DollyError, type EnvironmentWorkloads } from '@dolly/contracts';
import type { CloudAccount, Database, Plan } from '@dolly/db';
import { type ClonePlanItem, clonePlanSchema, validatePlan } from '@dolly/model';
import { admitCloneApply, type CloneRunInput } from './clone.ts';
import { admitEnvironmentApply, type EnvironmentRunInput } from './environment.ts';
import {
  type CloneableAccount,
  checkedAgainst,
  documentCatalog,
  loadPlan,
  type OpenPlanProvider,
  type PlanCaller,
  targetAccount,
} from './plan.ts';
import { planPreflight, preflightBlockers } from './preflight.ts';

export interface ApplyPlanRequest {
  /** indexes of the items to apply; default all */
  items?: number[] | undefined;
  confirm?: string | undefined;
  workloads?: EnvironmentWorkloads | undefined;
  idempotencyKey?: string | undefined;
}

/** One run apply starts for a plan item: a clone, or a clone with workloads (`environment`). */
export type PlanItemRun =
  | { kind: 'clone'; index: number; input: CloneRunInput; needsApproval: boolean }
  | { kind: 'environment'; index: number; input: EnvironmentRunInput; needsApproval: boolean };

/** What a clone run of `item` stores: the item as it was applied, so retries see the same thing. */
export function cloneRunInput(
  plan: Pick<Plan, 'id' | 'targetEnvironment'>,
  account: Pick<CloudAccount, 'id'>,
  index: number,
  item: ClonePlanItem,
  sourceClusterId: string | null,
  confirm: string | undefined,
): CloneRunInput {
  return {
    title: `Clone ${item.source.name} (${item.source.cloud} ${item.source.location}) → ${item.target.name} (${item.target.cloud} ${item.target.location})`,
    planId: plan.id,
    itemIndex: index,
    item,
    targetAccountId: account.id,
    targetEnvironment: plan.targetEnvironment,
    sourceClusterId,
    ...(confirm ? { confirm } : {}),
  };
}

/**
 * The plan as it is now, checked for applying `indexes`: against the target's lists as they are
 * now (a version the cloud retired since planning is refused) and what the account lacks (a role
 * added since planning lets it through).
 */
async function checkApplicable(
  open: OpenPlanProvider,
  plan: Plan,
  account: CloneableAccount,
  items: number[] | undefined,
) {
  const { catalog, info } = await documentCatalog(open, account, plan.document);
  const validation = validatePlan(plan.document, catalog);
  if (!validation.ok)
    throw new DollyError(
      'unprocessable',
      `The plan does not pass the target cloud validation${info ? checkedAgainst(info) : ''}; edit it first`,
      validation.issues.map((i) => ({ path: `document.${i.path}`, message: i.message })),
    );
  const doc = clonePlanSchema.parse(plan.document);
  const indexes = items ?? doc.items.map((_, i) => i);
  const unknown = indexes.filter((i) => !doc.items[i]);
  if (unknown.length)
    throw new DollyError('validation_failed', `The plan has no item ${unknown.join(', ')}`, [
      { path: 'body.items', message: `between 0 and ${doc.items.length - 1}` },
    ]);
  const blockers = preflightBlockers(
    await planPreflight(
      () => open(account),
      account,
      indexes.map((i) => (doc.items[i] as (typeof doc.items)[number]).target),
    ),
  );
  if (blockers.length)
    throw new DollyError(
      'unprocessable',
      `The target account ${account.name} lacks what the plan needs; fix it and apply again`,
      blockers.map((f) => ({
        path: f.field ?? `document.items[${doc.items.findIndex((i) => i.target.name === f.target)}].target`,
        message: `${f.target}: ${f.message}; fix: ${f.fix}`,
      })),
    );
  return { doc, indexes };
}

/**
 * Applying a plan: the checks of `checkApplicable`, then admission, then the runs to start — one
 * clone run per item, or with `workloads` one environment run for exactly one item.
 */
export async function planApply(
  db: Database,
  open: OpenPlanProvider,
  caller: PlanCaller,
  id: string,
  req: ApplyPlanRequest,
): Promise<{ plan: Plan; runs: PlanItemRun[] }> {
  const plan = await loadPlan(db, caller.tenantId, id);
  if (!plan.targetAccountId)
    throw new DollyError('unprocessable', 'The plan has no target cloud account; create it with a target');
  const account = await targetAccount(db, caller.tenantId, plan.targetAccountId);
  const { doc, indexes } = await checkApplicable(open, plan, account, req.items);
  const sources = await db.cluster.findMany({
    where: { tenantId: caller.tenantId, id: { in: plan.sourceClusterIds } },
    select: { id: true, name: true, location: true },
  });
  const inputOf = (index: number, item: ClonePlanItem) =>
    cloneRunInput(
      plan,
      account,
      index,
      item,
      sources.find((c) => c.name === item.source.name && c.location === item.source.location)?.id ?? null,
      req.confirm,
    );
  const { workloads } = req;
  if (workloads) {
    const [index] = indexes;
    const item = index === undefined ? undefined : doc.items[index];
    if (indexes.length !== 1 || index === undefined || !item)
      throw new DollyError('validation_failed', 'A clone with workloads applies exactly one plan item', [
        { path: 'body.items', message: 'name one item' },
      ]);
    const clone = inputOf(index, item);
    const admission = await admitEnvironmentApply(db, {
      tenantId: caller.tenantId,
      role: caller.role,
      plan,
      account,
      index,
      sourceClusterId: clone.sourceClusterId,
      workloads,
      confirm: req.confirm,
      idempotencyKey: req.idempotencyKey,
    });
    const run: PlanItemRun = {
      kind: 'environment',
      index,
      input: {
        title: `Clone ${item.source.name} → ${item.target.name} with ${workloads.namespaces.join(', ')}`,
        clone,
        workloads,
      },
      needsApproval: admission.requireApproval,
    };
    return { plan, runs: [run] };
  }
  const { decisions } = await admitCloneApply(db, {
    tenantId: caller.tenantId,
    role: caller.role,
    plan,
    account,
    indexes,
    confirm: req.confirm,
    idempotencyKey: req.idempotencyKey,
  });
  const runs: PlanItemRun[] = [];
  for (const [n, index] of indexes.entries()) {
    const item = doc.items[index];
    if (!item) continue;
    const decision = decisions[n];
    runs.push({
      kind: 'clone',
      index,
      input: inputOf(index, item),
      needsApproval: Boolean(decision?.allowed && decision.requireApproval),
    });
  }
  return { plan, runs };
}

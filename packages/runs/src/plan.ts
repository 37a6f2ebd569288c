/**
 * A clone plan from request to stored document: planning it, editing it, reading whether it needs
 * approval. What applying it starts is plan-apply.ts. The API's plan routes are schema + auth + one
 * of these.
 */
import { type Role, roleAtLeast } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { CloudAccount, Database, Plan } from '@dolly/db';
import {
  type CloudId,
  type ClusterSpec,
  type PlanCatalog,
  PlanError,
  type PlanTarget,
  bundledCatalog,
  clonePlanSchema,
  planClone,
  planItemCost,
  planTargetRegions,
  resolveLocation,
  validatePlan,
} from '@dolly/model';
import { admitClonePlan } from './clone.ts';
import { type LiveListSource, planningCatalog } from './live-catalog.ts';
import {
  explainUnknownEnvironment,
  nameRefusedEdit,
  planEnvironment,
  withTargetEnvironment,
} from './plan-environment.ts';
import { type PreflightSource, planPreflight } from './preflight.ts';

/** Opens the target account's provider (lists and preflight), with its credentials. */
export type OpenPlanProvider = (account: CloudAccount) => LiveListSource & PreflightSource;

export interface PlanCaller {
  tenantId: string;
  userId: string;
  role: Role;
}

export type CloneableAccount = CloudAccount & { cloud: 'aws' | 'azure' | 'gcp' };

export const NOT_CLONEABLE = 'imported clusters can be migrated, not cloned';

/**
 * Clones translate between the clouds of the canonical model; an imported cluster (cloud
 * `kubernetes`) is in none of them, so it is refused on either side of a clone plan.
 */
export function cloneableAccount<A extends { cloud: string }>(
  account: A,
  path: string,
): A & { cloud: 'aws' | 'azure' | 'gcp' } {
  if (account.cloud === 'aws' || account.cloud === 'azure' || account.cloud === 'gcp')
    return account as A & { cloud: 'aws' | 'azure' | 'gcp' };
  throw new DollyError('unprocessable', `The target is an imported cluster: ${NOT_CLONEABLE}`, [
    { path, message: NOT_CLONEABLE },
  ]);
}

/** The regions a stored (or edited) document's items are created in. */
export function documentRegions(cloud: CloudId, items: { target: { location: string } }[]): string[] {
  const regions = new Set<string>();
  for (const item of items) {
    const region = resolveLocation(bundledCatalog, cloud, item.target.location)?.region.id;
    if (region) regions.add(region);
  }
  return [...regions].sort();
}

/** Appended to a refusal so the reader knows which list said no. */
export function checkedAgainst(info: PlanCatalog): string {
  return info.source === 'live'
    ? ` (checked against the live lists of ${info.account ?? 'the target account'} for ${info.region})`
    : ' (checked against the bundled catalog snapshot)';
}

export async function loadPlan(db: Database, tenantId: string, id: string): Promise<Plan> {
  const plan = await db.plan.findFirst({ where: { id, tenantId } });
  if (!plan) throw new DollyError('not_found', `No plan ${id}`);
  return plan;
}

export async function targetAccount(
  db: Database,
  tenantId: string,
  id: string | null,
): Promise<CloneableAccount> {
  const account = id ? await db.cloudAccount.findFirst({ where: { id, tenantId } }) : null;
  if (!account) throw new DollyError('unprocessable', 'The target cloud account of this plan was removed');
  return cloneableAccount(account, 'targetAccountId');
}

/**
 * The catalog a document is checked against: the account's live lists for its regions; a document
 * that does not even parse has no regions to ask for, and is refused by the validation after.
 */
export async function documentCatalog(open: OpenPlanProvider, account: CloneableAccount, document: unknown) {
  const shape = clonePlanSchema.safeParse(document);
  return shape.success
    ? await planningCatalog(() => open(account), account, documentRegions(account.cloud, shape.data.items))
    : { catalog: bundledCatalog, info: undefined };
}

/** A stored plan with the approval its reader's role would need. */
export interface PlanAnswer {
  plan: Plan;
  requireApproval: boolean;
}

export interface CreatePlanRequest {
  source: {
    clusterIds?: string[] | undefined;
    accountId?: string | undefined;
    location?: string | undefined;
    labelFilter?: Record<string, string> | undefined;
  };
  target: {
    accountId: string;
    location?: string | undefined;
    scope?: string | undefined;
    environment?: string | undefined;
    namePrefix?: string | undefined;
    nameSuffix?: string | undefined;
    kubernetesVersion?: string | undefined;
  };
}

/** The inventory clusters a plan request selects; every one must be cloneable. */
async function selectSources(db: Database, tenantId: string, source: CreatePlanRequest['source']) {
  const clusters = await db.cluster.findMany({
    where: {
      tenantId,
      vanishedAt: null,
      ...(source.clusterIds
        ? { id: { in: source.clusterIds } }
        : { accountId: source.accountId, ...(source.location ? { location: source.location } : {}) }),
    },
    orderBy: { name: 'asc' },
  });
  if (source.clusterIds && clusters.length !== source.clusterIds.length) {
    const missing = source.clusterIds.filter((id) => !clusters.some((c) => c.id === id));
    throw new DollyError('validation_failed', `Unknown clusters: ${missing.join(', ')}`, [
      { path: 'body.source.clusterIds', message: `not in the inventory: ${missing.join(', ')}` },
    ]);
  }
  const imported = clusters.filter((c) => c.cloud === 'kubernetes');
  if (imported.length)
    throw new DollyError('unprocessable', `${imported.map((c) => c.name).join(', ')}: ${NOT_CLONEABLE}`, [
      { path: 'body.source.clusterIds', message: NOT_CLONEABLE },
    ]);
  const specs = clusters.map((c) => ({ id: c.id, spec: c.spec as ClusterSpec }));
  const labelFilter = source.labelFilter;
  const selected = labelFilter
    ? specs.filter((s) => Object.entries(labelFilter).every(([k, v]) => s.spec.labels?.[k] === v))
    : specs;
  if (selected.length === 0) throw new DollyError('unprocessable', 'No cluster matches the source selection');
  return selected;
}

function planTargetOf(account: CloneableAccount, target: CreatePlanRequest['target']): PlanTarget {
  return {
    cloud: account.cloud,
    ...(target.location ? { location: target.location } : {}),
    ...(target.scope || account.scope ? { scope: target.scope ?? account.scope ?? undefined } : {}),
    ...(target.namePrefix ? { namePrefix: target.namePrefix } : {}),
    ...(target.nameSuffix ? { nameSuffix: target.nameSuffix } : {}),
    ...(target.kubernetesVersion ? { kubernetesVersion: target.kubernetesVersion } : {}),
  };
}

/** Plans a clone of inventory clusters into an account and stores it (nothing is created yet). */
export async function createPlan(
  db: Database,
  open: OpenPlanProvider,
  caller: PlanCaller,
  { source, target }: CreatePlanRequest,
): Promise<PlanAnswer> {
  const found = await db.cloudAccount.findFirst({
    where: { id: target.accountId, tenantId: caller.tenantId },
  });
  if (!found)
    throw new DollyError('validation_failed', 'No such target account', [
      { path: 'body.target.accountId', message: 'not an account of this tenant' },
    ]);
  const account = cloneableAccount(found, 'body.target.accountId');
  const selected = await selectSources(db, caller.tenantId, source);
  const planTarget = planTargetOf(account, target);
  const sourceSpecs = selected.map((s) => s.spec);
  const { catalog, info } = await planningCatalog(
    () => open(account),
    account,
    planTargetRegions(sourceSpecs, planTarget, bundledCatalog),
  );
  let document: ReturnType<typeof planClone>;
  try {
    document = planClone(sourceSpecs, planTarget, catalog, { createdAt: new Date().toISOString() });
  } catch (e) {
    if (e instanceof PlanError) {
      throw new DollyError(
        'unprocessable',
        `The clusters cannot be translated to the target${checkedAgainst(info)}`,
        e.issues.map((i) => ({ path: i.path, message: i.message })),
      );
    }
    throw e;
  }
  document.catalog = info;
  document.preflight = await planPreflight(
    () => open(account),
    account,
    document.items.map((i) => i.target),
  );
  const sourceClusterIds = selected.map((s) => s.id);
  const { requireApproval, targets } = await admitClonePlan(db, {
    tenantId: caller.tenantId,
    role: caller.role,
    plan: { id: '', sourceClusterIds, targetEnvironment: target.environment ?? null, document },
    account,
  }).catch(explainUnknownEnvironment(target.environment ?? account.defaultEnvironment));
  const row = await db.plan.create({
    data: {
      tenantId: caller.tenantId,
      createdById: caller.userId,
      targetAccountId: account.id,
      targetEnvironment: planEnvironment(targets),
      sourceClusterIds,
      document: document as object,
    },
  });
  // The stored id is the plan's identity everywhere (provenance labels included).
  const withId = {
    ...document,
    id: row.id,
    // Provenance labels name the stored plan, as the resources apply creates will.
    items: document.items.map((item, i) => withTargetEnvironment(item, targets[i], row.id)),
  };
  await db.plan.update({ where: { id: row.id }, data: { document: withId as object } });
  return { plan: { ...row, document: withId }, requireApproval };
}

/** A stored plan; one the reader could not apply is shown as needing approval. */
export async function readPlan(db: Database, caller: PlanCaller, id: string): Promise<PlanAnswer> {
  const plan = await loadPlan(db, caller.tenantId, id);
  const account = plan.targetAccountId
    ? await db.cloudAccount.findFirst({ where: { id: plan.targetAccountId, tenantId: caller.tenantId } })
    : null;
  const requireApproval = account
    ? await admitClonePlan(db, { tenantId: caller.tenantId, role: caller.role, plan, account }).then(
        (a) => a.requireApproval,
        () => true,
      )
    : true;
  return { plan, requireApproval };
}

export interface EditPlanRequest {
  document: unknown;
  /** absent: the plan's own; null: none named */
  targetEnvironment?: string | null | undefined;
}

/** Replaces a plan's document with an edited one, validated against the target cloud and policy again. */
export async function editPlan(
  db: Database,
  open: OpenPlanProvider,
  caller: PlanCaller,
  id: string,
  body: EditPlanRequest,
): Promise<PlanAnswer> {
  const plan = await loadPlan(db, caller.tenantId, id);
  // Plans are owned: a developer edits their own; operators and above any plan of the tenant.
  if (!roleAtLeast(caller.role, 'operator') && plan.createdById !== caller.userId)
    throw new DollyError('forbidden', 'Developers can only edit plans they created');
  const account = await targetAccount(db, caller.tenantId, plan.targetAccountId);
  // The editor's `catalog` is ignored rather than validated: the server states what it checked.
  const submitted: unknown =
    typeof body.document === 'object' && body.document !== null && !Array.isArray(body.document)
      ? { ...body.document, catalog: undefined, preflight: undefined }
      : body.document;
  const { catalog, info } = await documentCatalog(open, account, submitted);
  const validation = validatePlan(submitted, catalog);
  if (!validation.ok) {
    throw new DollyError(
      'unprocessable',
      `The edited plan does not pass the target cloud validation${info ? checkedAgainst(info) : ''}`,
      validation.issues.map((i) => ({ path: `body.document.${i.path}`, message: i.message })),
    );
  }
  const parsed = clonePlanSchema.parse(submitted);
  // The cost is derived from the pools: recomputed so an edit (wizard options, JSON) never shows a stale one.
  const edited = {
    ...parsed,
    id: plan.id,
    ...(info ? { catalog: info } : {}),
    preflight: await planPreflight(
      () => open(account),
      account,
      parsed.items.map((i) => i.target),
    ),
    items: parsed.items.map((item) => ({ ...item, cost: planItemCost(catalog, item) })),
  };
  const requested = body.targetEnvironment === undefined ? plan.targetEnvironment : body.targetEnvironment;
  // Policy again, for the editor's role, on the real source and target (the inventory's).
  const { requireApproval, targets } = await admitClonePlan(db, {
    tenantId: caller.tenantId,
    role: caller.role,
    plan: { ...plan, targetEnvironment: requested, document: edited },
    account,
  })
    .catch(explainUnknownEnvironment(requested ?? account.defaultEnvironment, 'body.targetEnvironment'))
    .catch(
      nameRefusedEdit(body.targetEnvironment === undefined ? 'body.document' : 'body.targetEnvironment'),
    );
  const document = {
    ...edited,
    items: edited.items.map((item, i) => withTargetEnvironment(item, targets[i], plan.id)),
  };
  const updated = await db.plan.update({
    where: { id: plan.id },
    data: { document: document as object, targetEnvironment: planEnvironment(targets) },
  });
  return { plan: updated, requireApproval };
}

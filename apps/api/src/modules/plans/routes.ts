import { roleAtLeast } from '@dolly/authz';
import { DollyError, environmentWorkloadsSchema, runSchema } from '@dolly/contracts';
import {
  ENVIRONMENT_LABELS,
  type ClonePlanItem,
  type ClusterSpec,
  PlanError,
  bundledCatalog,
  clonePlanSchema,
  type PlanTarget,
  planClone,
  planItemCost,
  planTargetRegions,
  validatePlan,
} from '@dolly/model';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { peopleOf, toRunDto } from '../runs/serialize.ts';
import { idempotencyHeaders, idempotencyKeyOf, startRun } from '../runs/start.ts';
import {
  type CloneTarget,
  admitCloneApply,
  admitClonePlan,
  admitEnvironmentApply,
  planPreflight,
  planningCatalog,
  preflightBlockers,
} from '@dolly/runs';
import { checkedAgainst, documentRegions } from './catalog.ts';

const createPlanBody = z.object({
  source: z
    .object({
      clusterIds: z.array(z.uuid()).min(1).optional().meta({ description: 'Inventory clusters to clone' }),
      accountId: z.uuid().optional().meta({ description: 'Or: every cluster of this account…' }),
      location: z.string().optional().meta({ description: '…in this location…' }),
      labelFilter: z
        .record(z.string(), z.string())
        .optional()
        .meta({ description: '…whose labels contain all these pairs', example: { env: 'prod' } }),
    })
    .refine((s) => s.clusterIds || s.accountId, {
      message: 'give clusterIds, or accountId (with location and labelFilter)',
    }),
  target: z.object({
    accountId: z.uuid().meta({ description: 'Cloud account the clusters are created in' }),
    location: z.string().optional().meta({ description: 'Default: the nearest region of the target cloud' }),
    scope: z.string().optional().meta({ description: 'Default: the account scope' }),
    environment: z
      .string()
      .optional()
      .meta({ description: "Environment of the new clusters; default: the account's", example: 'dev' }),
    namePrefix: z.string().max(20).optional(),
    nameSuffix: z.string().max(20).optional().meta({ example: '-copy' }),
    kubernetesVersion: z.string().optional(),
  }),
});

const planResponse = z
  .object({
    id: z.uuid(),
    targetAccountId: z.uuid().nullable(),
    targetEnvironment: z.string().nullable(),
    sourceClusterIds: z.array(z.string()),
    requiresApproval: z.boolean(),
    document: clonePlanSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'StoredPlan' });

type PlanRow = {
  id: string;
  targetAccountId: string | null;
  targetEnvironment: string | null;
  sourceClusterIds: string[];
  document: unknown;
  createdAt: Date;
  updatedAt: Date;
};
const toDto = (p: PlanRow, requiresApproval: boolean) => ({
  id: p.id,
  targetAccountId: p.targetAccountId,
  targetEnvironment: p.targetEnvironment,
  sourceClusterIds: p.sourceClusterIds,
  requiresApproval,
  document: clonePlanSchema.parse(p.document),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

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

export function planRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function loadPlan(tenantId: string, id: string) {
    const plan = await deps.db.plan.findFirst({ where: { id, tenantId } });
    if (!plan) throw new DollyError('not_found', `No plan ${id}`);
    return plan;
  }

  async function targetAccount(tenantId: string, id: string | null) {
    const account = id ? await deps.db.cloudAccount.findFirst({ where: { id, tenantId } }) : null;
    if (!account) throw new DollyError('unprocessable', 'The target cloud account of this plan was removed');
    return cloneableAccount(account, 'targetAccountId');
  }

  r.post(
    '/api/v1/plans',
    {
      config: { auth: { can: 'create', on: 'Plan' }, audit: 'plan.create' },
      schema: {
        tags: ['plans'],
        summary: 'Plan a clone of inventory clusters into a cloud account (nothing is created yet)',
        description:
          'Every translated field carries a decision with its reason; what needs action is a warning; what cannot be carried is listed under dropped. ' +
          "Versions and machine types come from the target account's live lists for the target region when it answers in time (DOLLY_PLAN_CATALOG_TIMEOUT_MS, default 5 s), else from the bundled snapshot; `document.catalog` says which.",
        body: createPlanBody,
        response: { 201: planResponse, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const { source, target } = request.body;
      const found = await deps.db.cloudAccount.findFirst({
        where: { id: target.accountId, tenantId: p.tenantId },
      });
      if (!found)
        throw new DollyError('validation_failed', 'No such target account', [
          { path: 'body.target.accountId', message: 'not an account of this tenant' },
        ]);
      const account = cloneableAccount(found, 'body.target.accountId');
      const clusters = await deps.db.cluster.findMany({
        where: {
          tenantId: p.tenantId,
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
      if (selected.length === 0)
        throw new DollyError('unprocessable', 'No cluster matches the source selection');
      const planTarget: PlanTarget = {
        cloud: account.cloud,
        ...(target.location ? { location: target.location } : {}),
        ...(target.scope || account.scope ? { scope: target.scope ?? account.scope ?? undefined } : {}),
        ...(target.namePrefix ? { namePrefix: target.namePrefix } : {}),
        ...(target.nameSuffix ? { nameSuffix: target.nameSuffix } : {}),
        ...(target.kubernetesVersion ? { kubernetesVersion: target.kubernetesVersion } : {}),
      };
      const sourceSpecs = selected.map((s) => s.spec);
      const { catalog, info } = await planningCatalog(
        () => deps.cloud.provider(account),
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
        () => deps.cloud.provider(account),
        account,
        document.items.map((i) => i.target),
      );
      const sourceClusterIds = selected.map((s) => s.id);
      const { requireApproval, targets } = await admitClonePlan(deps.db, {
        tenantId: p.tenantId,
        role: p.role,
        plan: { id: '', sourceClusterIds, targetEnvironment: target.environment ?? null, document },
        account,
      }).catch(explainUnknownEnvironment(target.environment ?? account.defaultEnvironment));
      const targetEnvironment = planEnvironment(targets);
      const row = await deps.db.plan.create({
        data: {
          tenantId: p.tenantId,
          createdById: p.userId,
          targetAccountId: account.id,
          targetEnvironment,
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
      await deps.db.plan.update({ where: { id: row.id }, data: { document: withId as object } });
      return reply.status(201).send(toDto({ ...row, document: withId }, requireApproval));
    },
  );

  r.get(
    '/api/v1/plans/:id',
    {
      config: { auth: { can: 'read', on: 'Plan' } },
      schema: {
        tags: ['plans'],
        summary: 'A stored plan',
        params: idParams,
        response: { 200: planResponse, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const plan = await loadPlan(p.tenantId, request.params.id);
      const account = plan.targetAccountId
        ? await deps.db.cloudAccount.findFirst({ where: { id: plan.targetAccountId, tenantId: p.tenantId } })
        : null;
      // a plan the reader could not apply is shown as needing approval
      const requireApproval = account
        ? await admitClonePlan(deps.db, { tenantId: p.tenantId, role: p.role, plan, account }).then(
            (a) => a.requireApproval,
            () => true,
          )
        : true;
      return toDto(plan, requireApproval);
    },
  );

  r.put(
    '/api/v1/plans/:id',
    {
      config: { auth: { can: 'update', on: 'Plan' }, audit: 'plan.update' },
      schema: {
        tags: ['plans'],
        summary: 'Replace the plan document with an edited one; validated against the target cloud again',
        params: idParams,
        body: z.object({ document: z.unknown(), targetEnvironment: z.string().nullable().optional() }),
        response: { 200: planResponse, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const plan = await loadPlan(p.tenantId, request.params.id);
      // Plans are owned: a developer edits their own; operators and above any plan of the tenant.
      if (!roleAtLeast(p.role, 'operator') && plan.createdById !== p.userId)
        throw new DollyError('forbidden', 'Developers can only edit plans they created');
      const account = await targetAccount(p.tenantId, plan.targetAccountId);
      // The editor's `catalog` is ignored rather than validated: the server states what it checked.
      const body = request.body.document;
      const submitted: unknown =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? { ...body, catalog: undefined, preflight: undefined }
          : body;
      // A document that does not even parse is refused by the schema below; it has no regions to ask for.
      const shape = clonePlanSchema.safeParse(submitted);
      const { catalog, info } = shape.success
        ? await planningCatalog(
            () => deps.cloud.provider(account),
            account,
            documentRegions(account.cloud, shape.data.items),
          )
        : { catalog: bundledCatalog, info: undefined };
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
          () => deps.cloud.provider(account),
          account,
          parsed.items.map((i) => i.target),
        ),
        items: parsed.items.map((item) => ({ ...item, cost: planItemCost(catalog, item) })),
      };
      const requested =
        request.body.targetEnvironment === undefined
          ? plan.targetEnvironment
          : request.body.targetEnvironment;
      // Policy again, for the editor's role, on the real source and target (the inventory's).
      const { requireApproval, targets } = await admitClonePlan(deps.db, {
        tenantId: p.tenantId,
        role: p.role,
        plan: { ...plan, targetEnvironment: requested, document: edited },
        account,
      })
        .catch(explainUnknownEnvironment(requested ?? account.defaultEnvironment, 'body.targetEnvironment'))
        .catch(
          nameRefusedEdit(
            request.body.targetEnvironment === undefined ? 'body.document' : 'body.targetEnvironment',
          ),
        );
      const targetEnvironment = planEnvironment(targets);
      const document = {
        ...edited,
        items: edited.items.map((item, i) => withTargetEnvironment(item, targets[i], plan.id)),
      };
      const updated = await deps.db.plan.update({
        where: { id: plan.id },
        data: { document: document as object, targetEnvironment },
      });
      return toDto(updated, requireApproval);
    },
  );

  r.post(
    '/api/v1/plans/:id/apply',
    {
      config: { auth: { can: 'clone', on: 'Cluster' }, audit: 'plan.apply' },
      schema: {
        tags: ['plans'],
        summary:
          'Create the clusters of a plan: one clone run per item, run in parallel (or one clone with workloads)',
        description:
          'The plan is validated and the clone policies checked again. Items a policy holds for approval start as `pending_approval`. ' +
          'Into a `prod` target environment, `confirm` must repeat the target cluster name (one item) or the target account name. ' +
          'With an `Idempotency-Key`, repeating the request returns the same runs.',
        params: idParams,
        headers: idempotencyHeaders,
        body: z
          .object({
            items: z
              .array(z.number().int().min(0))
              .min(1)
              .optional()
              .meta({ description: 'Indexes of the items to apply; default: all', example: [0] }),
            confirm: z.string().optional().meta({ description: 'Typed confirmation for protected targets' }),
            workloads: environmentWorkloadsSchema.optional().meta({
              description:
                "Clone with workloads: after the clone, migrate these namespaces of the item's source cluster into the new cluster. One item only; answers with one `environment` run whose children are the clone and migrate runs.",
            }),
          })
          .default({}),
        response: {
          202: z.object({ runs: z.array(runSchema) }),
          ...problemResponses,
          422: problemResponses[400],
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const plan = await loadPlan(p.tenantId, request.params.id);
      if (!plan.targetAccountId)
        throw new DollyError(
          'unprocessable',
          'The plan has no target cloud account; create it with a target',
        );
      const account = await targetAccount(p.tenantId, plan.targetAccountId);
      // Checked against the lists as they are now: a version the cloud retired since planning is refused here.
      const stored = clonePlanSchema.safeParse(plan.document);
      const { catalog, info } = stored.success
        ? await planningCatalog(
            () => deps.cloud.provider(account),
            account,
            documentRegions(account.cloud, stored.data.items),
          )
        : { catalog: bundledCatalog, info: undefined };
      const validation = validatePlan(plan.document, catalog);
      if (!validation.ok)
        throw new DollyError(
          'unprocessable',
          `The plan does not pass the target cloud validation${info ? checkedAgainst(info) : ''}; edit it first`,
          validation.issues.map((i) => ({ path: `document.${i.path}`, message: i.message })),
        );
      const doc = clonePlanSchema.parse(plan.document);
      const indexes = request.body.items ?? doc.items.map((_, i) => i);
      const unknown = indexes.filter((i) => !doc.items[i]);
      if (unknown.length)
        throw new DollyError('validation_failed', `The plan has no item ${unknown.join(', ')}`, [
          { path: 'body.items', message: `between 0 and ${doc.items.length - 1}` },
        ]);
      // What the account lacks is checked again now: a role added since planning lets it through.
      const blockers = preflightBlockers(
        await planPreflight(
          () => deps.cloud.provider(account),
          account,
          indexes.map((i) => (doc.items[i] as (typeof doc.items)[number]).target),
        ),
      );
      if (blockers.length)
        throw new DollyError(
          'unprocessable',
          `The target account ${account.name} lacks what the plan needs; fix it and apply again`,
          blockers.map((f) => ({
            path:
              f.field ?? `document.items[${doc.items.findIndex((i) => i.target.name === f.target)}].target`,
            message: `${f.target}: ${f.message}; fix: ${f.fix}`,
          })),
        );
      const key = idempotencyKeyOf(request);
      const sources = await deps.db.cluster.findMany({
        where: { tenantId: p.tenantId, id: { in: plan.sourceClusterIds } },
        select: { id: true, name: true, location: true },
      });
      const sourceOf = (item: ClonePlanItem) =>
        sources.find((c) => c.name === item.source.name && c.location === item.source.location);
      const cloneInput = (index: number, item: ClonePlanItem) => ({
        title: `Clone ${item.source.name} (${item.source.cloud} ${item.source.location}) → ${item.target.name} (${item.target.cloud} ${item.target.location})`,
        planId: plan.id,
        itemIndex: index,
        item,
        targetAccountId: account.id,
        targetEnvironment: plan.targetEnvironment,
        sourceClusterId: sourceOf(item)?.id ?? null,
        ...(request.body.confirm ? { confirm: request.body.confirm } : {}),
      });
      const { workloads } = request.body;
      if (workloads) {
        const [index] = indexes;
        const item = index === undefined ? undefined : doc.items[index];
        if (indexes.length !== 1 || index === undefined || !item)
          throw new DollyError('validation_failed', 'A clone with workloads applies exactly one plan item', [
            { path: 'body.items', message: 'name one item' },
          ]);
        const clone = cloneInput(index, item);
        const admission = await admitEnvironmentApply(deps.db, {
          tenantId: p.tenantId,
          role: p.role,
          plan,
          account,
          index,
          sourceClusterId: clone.sourceClusterId,
          workloads,
          confirm: request.body.confirm,
          idempotencyKey: key,
        });
        const run = await startRun(deps, p, {
          kind: 'environment',
          input: {
            title: `Clone ${item.source.name} → ${item.target.name} with ${workloads.namespaces.join(', ')}`,
            clone,
            workloads,
          },
          planId: plan.id,
          planItemIndex: index,
          needsApproval: admission.requireApproval,
          ...(key ? { idempotencyKey: `${key}#${index}` } : {}),
          sameRequest: (existing) => existing.planId === plan.id && existing.planItemIndex === index,
        });
        return reply.status(202).send({ runs: [toRunDto(run, await peopleOf(deps.db, [run]))] });
      }
      const { decisions } = await admitCloneApply(deps.db, {
        tenantId: p.tenantId,
        role: p.role,
        plan,
        account,
        indexes,
        confirm: request.body.confirm,
        idempotencyKey: key,
      });
      const runs = [];
      for (const [n, index] of indexes.entries()) {
        const item = doc.items[index];
        if (!item) continue;
        const decision = decisions[n];
        runs.push(
          await startRun(deps, p, {
            kind: 'clone',
            input: cloneInput(index, item),
            planId: plan.id,
            planItemIndex: index,
            needsApproval: Boolean(decision?.allowed && decision.requireApproval),
            ...(key ? { idempotencyKey: `${key}#${index}` } : {}),
            sameRequest: (existing) => existing.planId === plan.id && existing.planItemIndex === index,
          }),
        );
      }
      const people = await peopleOf(deps.db, runs);
      return reply.status(202).send({ runs: runs.map((run) => toRunDto(run, people)) });
    },
  );
}

/** The plan's environment: the one every item shares; none shared (or unknown) = null = prod. */
function planEnvironment(targets: CloneTarget[]): string | null {
  const envs = new Set(targets.map((t) => t.environment.environment));
  return envs.size === 1 ? ([...envs][0] ?? null) : null;
}

/**
 * A refusal when neither the request nor the account names an environment: say what to do about
 * the unknown one (it counts as prod).
 */
function explainUnknownEnvironment(named: string | null | undefined, field = 'body.target.environment') {
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
function nameRefusedEdit(field: 'body.targetEnvironment' | 'body.document') {
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
function withTargetEnvironment(
  item: ClonePlanItem,
  target: CloneTarget | undefined,
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

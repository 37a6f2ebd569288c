import { environmentWorkloadsSchema, runSchema } from '@dolly/contracts';
import type { CloudAccount } from '@dolly/db';
import { clonePlanSchema } from '@dolly/model';
import { createPlan, editPlan, type OpenPlanProvider, planApply, readPlan } from '@dolly/runs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { peopleOf, toRunDto } from '../runs/serialize.ts';
import { idempotencyHeaders, idempotencyKeyOf, startRun } from '../runs/start.ts';

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

export function planRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The target account's provider, opened with its credentials (lists and preflight).
  const open: OpenPlanProvider = (account: CloudAccount) => deps.cloud.provider(account);

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
      const { plan, requireApproval } = await createPlan(
        deps.db,
        open,
        requirePrincipal(request),
        request.body,
      );
      return reply.status(201).send(toDto(plan, requireApproval));
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
      const { plan, requireApproval } = await readPlan(deps.db, requirePrincipal(request), request.params.id);
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
      const { plan, requireApproval } = await editPlan(deps.db, open, p, request.params.id, request.body);
      return toDto(plan, requireApproval);
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
      const key = idempotencyKeyOf(request);
      const { plan, runs: items } = await planApply(deps.db, open, p, request.params.id, {
        ...request.body,
        idempotencyKey: key,
      });
      // Started together so the last item's run does not wait for every row and job before it;
      // the answer lists them in plan order all the same.
      const runs = await Promise.all(
        items.map(({ kind, index, input, needsApproval }) =>
          startRun(deps, p, {
            kind,
            input,
            planId: plan.id,
            planItemIndex: index,
            needsApproval,
            ...(key ? { idempotencyKey: `${key}#${index}` } : {}),
            sameRequest: (existing) => existing.planId === plan.id && existing.planItemIndex === index,
          }),
        ),
      );
      const people = await peopleOf(deps.db, runs);
      return reply.status(202).send({ runs: runs.map((run) => toRunDto(run, people)) });
    },
  );
}

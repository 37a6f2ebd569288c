import { DollyError, runSchema, runStatusSchema } from '@dolly/contracts';
import type { EnvironmentRecipe, Run } from '@dolly/db';
import { removeRecipeSchedule, syncRecipeSchedule } from '@dolly/jobs';
import {
  activeRecipeRun,
  admitRecipe,
  cronProblem,
  nextRunAt,
  recipeSpecSchema,
  timezoneProblem,
} from '@dolly/runs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { type Principal, requirePrincipal } from '../../plugins/auth.ts';
import { peopleOf, toRunDto } from '../runs/serialize.ts';
import { startRun } from '../runs/start.ts';

const scheduleField = z
  .string()
  .max(200)
  .nullable()
  .superRefine((value, ctx) => {
    const problem = value === null ? null : cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description: 'Five-field cron (minute hour day-of-month month day-of-week); null: run on demand only',
    example: '0 2 * * *',
  });

const timezoneField = z
  .string()
  .max(100)
  .superRefine((value, ctx) => {
    const problem = timezoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'IANA time zone the schedule is read in', example: 'Europe/Berlin' });

const recipeFields = {
  name: z.string().trim().min(1).max(100).meta({ example: 'nightly prod → dev' }),
  sourceClusterId: z.uuid().meta({ description: 'Inventory cluster the namespaces come from' }),
  targetClusterId: z
    .uuid()
    .nullable()
    .meta({ description: 'Inventory cluster refreshed on every run; null with recreateCluster' }),
  recreateCluster: z
    .boolean()
    .meta({ description: 'Clone spec.clone (a plan item) first, then migrate into the new cluster' }),
  spec: recipeSpecSchema,
  schedule: scheduleField,
  timezone: timezoneField,
  enabled: z.boolean().meta({ description: 'A disabled recipe never runs on its schedule' }),
};

const createBody = z.object({
  ...recipeFields,
  targetClusterId: recipeFields.targetClusterId.default(null),
  recreateCluster: recipeFields.recreateCluster.default(false),
  schedule: recipeFields.schedule.default(null),
  timezone: recipeFields.timezone.default('UTC'),
  enabled: recipeFields.enabled.default(true),
});

const updateBody = z.object(recipeFields).partial();

const recipeSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    owner: z.object({ id: z.uuid(), email: z.string().nullable() }),
    sourceClusterId: z.uuid(),
    targetClusterId: z.uuid().nullable(),
    targetAccountId: z.uuid().nullable(),
    recreateCluster: z.boolean(),
    spec: recipeSpecSchema.meta({
      description: 'The recipe spec (workloads, and clone when recreateCluster)',
    }),
    schedule: z.string().nullable(),
    timezone: z.string(),
    enabled: z.boolean(),
    nextRunAt: z.iso.datetime().nullable(),
    lastRun: z
      .object({ id: z.uuid(), status: runStatusSchema, createdAt: z.iso.datetime() })
      .nullable()
      .meta({ description: 'The last run the recipe started, scheduled or by hand' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'EnvironmentRecipe',
    description:
      'A saved refresh (migration, or clone with workloads) run on a schedule under its owner’s role',
  });

type RecipeDto = z.infer<typeof recipeSchema>;

async function toDtos(deps: AppDeps, recipes: EnvironmentRecipe[]): Promise<RecipeDto[]> {
  const runIds = recipes.map((r) => r.lastRunId).filter((x): x is string => !!x);
  const [runs, users] = await Promise.all([
    runIds.length
      ? deps.db.run.findMany({
          where: { id: { in: runIds } },
          select: { id: true, status: true, createdAt: true },
        })
      : [],
    deps.db.user.findMany({
      where: { id: { in: [...new Set(recipes.map((r) => r.ownerId))] } },
      select: { id: true, email: true },
    }),
  ]);
  return recipes.map((r) => {
    const last = runs.find((run) => run.id === r.lastRunId);
    return {
      id: r.id,
      name: r.name,
      owner: { id: r.ownerId, email: users.find((u) => u.id === r.ownerId)?.email ?? null },
      sourceClusterId: r.sourceClusterId,
      targetClusterId: r.targetClusterId,
      targetAccountId: r.targetAccountId,
      recreateCluster: r.recreateCluster,
      // validated against recipeSpecSchema before it was stored
      spec: r.spec as RecipeDto['spec'],
      schedule: r.schedule,
      timezone: r.timezone,
      enabled: r.enabled,
      nextRunAt: r.nextRunAt?.toISOString() ?? null,
      lastRun: last ? { id: last.id, status: last.status, createdAt: last.createdAt.toISOString() } : null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  });
}

/** The target account a recipe writes into: the target cluster's, or the cloned plan's. */
async function targetAccountOf(
  deps: AppDeps,
  tenantId: string,
  recipe: {
    targetClusterId: string | null;
    recreateCluster: boolean;
    spec: z.infer<typeof recipeSpecSchema>;
  },
): Promise<string | null> {
  if (recipe.recreateCluster && recipe.spec.clone) {
    const plan = await deps.db.plan.findFirst({ where: { id: recipe.spec.clone.planId, tenantId } });
    return plan?.targetAccountId ?? null;
  }
  if (!recipe.targetClusterId) return null;
  const cluster = await deps.db.cluster.findFirst({ where: { id: recipe.targetClusterId, tenantId } });
  return cluster?.accountId ?? null;
}

function nameTaken(error: unknown, name: string): never {
  if ((error as { code?: string }).code === 'P2002')
    throw new DollyError('conflict', `A recipe named "${name}" already exists`, [
      { path: 'body.name', message: 'already taken in this tenant' },
    ]);
  throw error;
}

export function recipeRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const find = async (tenantId: string, id: string) => {
    const recipe = await deps.db.environmentRecipe.findFirst({ where: { id, tenantId } });
    if (!recipe) throw new DollyError('not_found', `No recipe ${id}`);
    return recipe;
  };

  /** Creation, change and run now are admitted like the hand-made request, with the caller's role. */
  const admit = (p: Principal, recipe: Parameters<typeof admitRecipe>[1]['recipe']) =>
    admitRecipe(deps.db, { tenantId: p.tenantId, role: p.role, recipe });

  r.get(
    '/api/v1/recipes',
    {
      config: { auth: { can: 'read', on: 'Recipe' } },
      schema: {
        tags: ['recipes'],
        summary: "The tenant's environment recipes, with their schedule, next run and last run",
        response: { 200: z.object({ items: z.array(recipeSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await deps.db.environmentRecipe.findMany({
        where: { tenantId: p.tenantId },
        orderBy: { name: 'asc' },
      });
      return { items: await toDtos(deps, rows) };
    },
  );

  r.get(
    '/api/v1/recipes/:id',
    {
      config: { auth: { can: 'read', on: 'Recipe' } },
      schema: {
        tags: ['recipes'],
        summary: 'One environment recipe',
        params: idParams,
        response: { 200: recipeSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const [dto] = await toDtos(deps, [await find(p.tenantId, request.params.id)]);
      return dto as RecipeDto;
    },
  );

  r.post(
    '/api/v1/recipes',
    {
      config: { auth: { can: 'create', on: 'Recipe' }, audit: 'recipe.create' },
      schema: {
        tags: ['recipes'],
        summary: 'Save an environment recipe: a refresh run on a cron schedule, under your role',
        description:
          'Admitted exactly as the migration (or clone with workloads) it runs would be, with your role: clone policies, the prod guard, Secrets for operators, no kube-* namespaces. You become its owner: every scheduled run is admitted again with your role and the policies of that day, and is refused (an audit line, no run) if you are no longer an operator of the tenant.',
        body: createBody,
        response: { 201: recipeSchema, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const body = request.body;
      await admit(p, body);
      const created = await deps.db.environmentRecipe
        .create({
          data: {
            tenantId: p.tenantId,
            name: body.name,
            ownerId: p.userId,
            sourceClusterId: body.sourceClusterId,
            targetClusterId: body.targetClusterId,
            targetAccountId: await targetAccountOf(deps, p.tenantId, body),
            recreateCluster: body.recreateCluster,
            spec: body.spec as object,
            schedule: body.schedule,
            timezone: body.timezone,
            enabled: body.enabled,
            nextRunAt: body.enabled ? nextRunAt(body.schedule, body.timezone) : null,
          },
        })
        .catch((error: unknown) => nameTaken(error, body.name));
      await syncRecipeSchedule(deps.queues, created);
      const [dto] = await toDtos(deps, [created]);
      return reply.status(201).send(dto as RecipeDto);
    },
  );

  r.patch(
    '/api/v1/recipes/:id',
    {
      config: { auth: { can: 'update', on: 'Recipe' }, audit: 'recipe.update' },
      schema: {
        tags: ['recipes'],
        summary: 'Change a recipe (enable, disable, reschedule, edit what it migrates)',
        description:
          'The recipe as it will be is admitted again with your role (not when it is only switched off: that only stops writes). The owner stays who created it.',
        params: idParams,
        body: updateBody,
        response: { 200: recipeSchema, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const current = await find(p.tenantId, request.params.id);
      const next = {
        name: current.name,
        sourceClusterId: current.sourceClusterId,
        targetClusterId: current.targetClusterId,
        recreateCluster: current.recreateCluster,
        spec: current.spec,
        schedule: current.schedule,
        timezone: current.timezone,
        enabled: current.enabled,
        ...request.body,
      };
      // The recipe is admitted as it will be, except when it is only switched off (or renamed
      // while off): that stops writes, and a rule added since must not keep it running.
      const onlyOff =
        !next.enabled && Object.keys(request.body).every((k) => k === 'enabled' || k === 'name');
      if (!onlyOff) await admit(p, next);
      const spec = recipeSpecSchema.parse(next.spec);
      const updated = await deps.db.environmentRecipe
        .update({
          where: { id: current.id },
          data: {
            ...next,
            spec: spec as object,
            targetAccountId: await targetAccountOf(deps, p.tenantId, { ...next, spec }),
            nextRunAt: next.enabled ? nextRunAt(next.schedule, next.timezone) : null,
          },
        })
        .catch((error: unknown) => nameTaken(error, next.name));
      await syncRecipeSchedule(deps.queues, updated);
      const [dto] = await toDtos(deps, [updated]);
      return dto as RecipeDto;
    },
  );

  r.delete(
    '/api/v1/recipes/:id',
    {
      config: { auth: { can: 'delete', on: 'Recipe' }, audit: 'recipe.delete' },
      schema: {
        tags: ['recipes'],
        summary: 'Delete a recipe and its schedule; its runs stay in the history',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const recipe = await find(p.tenantId, request.params.id);
      await deps.db.environmentRecipe.delete({ where: { id: recipe.id } });
      await removeRecipeSchedule(deps.queues, recipe.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/recipes/:id/run',
    {
      config: { auth: { can: 'update', on: 'Recipe' }, audit: 'recipe.run' },
      schema: {
        tags: ['recipes'],
        summary: 'Run a recipe now, outside its schedule',
        description:
          'Admitted with your role and the policies of now, like the hand-made request; you are its requester. A run a policy holds for approval waits for it. 409 while an earlier run of the recipe has not finished.',
        params: idParams,
        response: { 202: runSchema, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const recipe = await find(p.tenantId, request.params.id);
      const active = await activeRecipeRun(deps.db, recipe.id);
      if (active)
        throw new DollyError(
          'conflict',
          `Run ${active.id} of this recipe is still ${active.status}; wait for it or cancel it`,
        );
      const spec = await admit(p, recipe);
      const run = await startRun(deps, p, {
        kind: spec.kind,
        input: spec.input,
        needsApproval: spec.needsApproval,
        recipeId: recipe.id,
        ...(spec.planId !== undefined ? { planId: spec.planId } : {}),
        ...(spec.planItemIndex !== undefined ? { planItemIndex: spec.planItemIndex } : {}),
      });
      await deps.db.environmentRecipe.update({ where: { id: recipe.id }, data: { lastRunId: run.id } });
      return reply.status(202).send(toRunDto(run, await peopleOf(deps.db, [run])));
    },
  );

  r.get(
    '/api/v1/recipes/:id/runs',
    {
      config: { auth: { can: 'read', on: 'Recipe' } },
      schema: {
        tags: ['recipes'],
        summary: "The recipe's runs, newest first (scheduled and by hand)",
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(runSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const recipe = await find(p.tenantId, request.params.id);
      const runs: Run[] = await deps.db.run.findMany({
        where: { tenantId: p.tenantId, recipeId: recipe.id },
        orderBy: { createdAt: 'desc' },
        take: request.query.limit,
      });
      const people = await peopleOf(deps.db, runs);
      return { items: runs.map((run) => toRunDto(run, people)) };
    },
  );
}

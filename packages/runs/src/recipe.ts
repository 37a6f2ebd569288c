import { type Role, roleAtLeast } from '@dolly/authz';
import {
  type EnvironmentWorkloads,
  environmentWorkloadsSchema,
  type MigrationRequest,
  type ProblemFieldError,
} from '@dolly/contracts';
import type { Cluster, Database, EnvironmentRecipe } from '@dolly/db';
import { clonePlanSchema } from '@dolly/model';
import cronParser from 'cron-parser';
import { z } from 'zod';
import { AdmissionError } from './admission-error.ts';
import { admitEnvironmentApply } from './environment.ts';
import { assessMigration } from './migrate.ts';
import { ACTIVE_STATUSES, loadAdmissionContext } from './policy.ts';

/**
 * Environment recipes (docs/environments.md, "Scheduled refresh"): a saved migration, or a clone
 * with workloads, that runs on a cron schedule under its owner's role. Every run is admitted by the
 * same rules as the same request made by hand, with the owner's role and the policies of the day.
 */

/** Who may own, change and run a recipe: a refresh writes on a schedule, unattended. */
export const RECIPE_ROLE: Role = 'operator';

/** The plan item a recipe that re-creates its cluster clones before it migrates. */
export const recipeCloneSpecSchema = z.object({
  planId: z.uuid().meta({ description: 'The clone plan whose item is created on every run' }),
  item: z.number().int().min(0).default(0).meta({ description: 'Index of the plan item' }),
  confirm: z
    .string()
    .optional()
    .meta({ description: 'Typed confirmation for a prod-class target, as apply takes it' }),
});

/** What `EnvironmentRecipe.spec` holds: the migration without its clusters, and the clone when re-created. */
export const recipeSpecSchema = z.object({
  workloads: environmentWorkloadsSchema.meta({
    description: 'Namespaces, mappings and options of the migration, as POST /api/v1/migrations takes them',
  }),
  clone: recipeCloneSpecSchema
    .optional()
    .meta({ description: 'With recreateCluster: the plan item cloned before the migration' }),
});
export type RecipeSpec = z.output<typeof recipeSpecSchema>;

/** Five fields (minute hour day-of-month month day-of-week): what `schedule` means everywhere. */
const CRON_FIELDS = 5;

/** Null when the zone is a real IANA time zone, else why not. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `${timezone} is not an IANA time zone (like UTC or Europe/Berlin)`;
  }
}

/** Null when the expression is a five-field cron, else why not. */
export function cronProblem(schedule: string): string | null {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS)
    return `a five-field cron (minute hour day-of-month month day-of-week) like "0 2 * * *", not ${fields.length} field(s)`;
  try {
    cronParser.parseExpression(schedule);
    return null;
  } catch (error) {
    return `not a cron expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The next time the schedule fires after `after`, in the recipe's time zone; null without one. */
export function nextRunAt(schedule: string | null, timezone: string, after = new Date()): Date | null {
  if (!schedule) return null;
  return cronParser.parseExpression(schedule, { tz: timezone, currentDate: after }).next().toDate();
}

/** What a recipe's run is, as admission worked it out: the run to create and whether it waits for approval. */
export interface RecipeRunSpec {
  kind: 'migrate' | 'environment';
  input: Record<string, unknown> & { title: string };
  needsApproval: boolean;
  planId?: string;
  planItemIndex?: number;
}

/** The parts of a recipe admission looks at: a stored row, or a request to create or change one. */
export type RecipeLike = Pick<
  EnvironmentRecipe,
  'sourceClusterId' | 'targetClusterId' | 'recreateCluster' | 'name'
> & { spec: unknown };

/** The paths a refusal names: the recipe request's, not the migration's or the apply's. */
function remap(error: AdmissionError, from: Record<string, string>): AdmissionError {
  if (!error.errors) return error;
  const errors: ProblemFieldError[] = error.errors.map((e) => {
    const prefix = Object.keys(from).find((p) => e.path === p || e.path.startsWith(`${p}.`));
    return prefix ? { ...e, path: `${from[prefix]}${e.path.slice(prefix.length)}` } : e;
  });
  return new AdmissionError(error.code, error.message, errors);
}

async function inventoryCluster(db: Database, tenantId: string, id: string, field: string): Promise<Cluster> {
  const cluster = await db.cluster.findFirst({ where: { id, tenantId, vanishedAt: null } });
  // another tenant's cluster is as absent as one that never existed
  if (!cluster)
    throw new AdmissionError('validation_failed', `No cluster ${id} in the inventory`, [
      { path: `body.${field}`, message: 'not a cluster of this tenant' },
    ]);
  return cluster;
}

function parseSpec(spec: unknown): RecipeSpec {
  const parsed = recipeSpecSchema.safeParse(spec);
  if (!parsed.success)
    throw new AdmissionError(
      'validation_failed',
      'The recipe spec is not valid',
      parsed.error.issues.map((i) => ({ path: ['body', 'spec', ...i.path].join('.'), message: i.message })),
    );
  return parsed.data;
}

/**
 * A recipe run as the rules see it, for `role`: the recipe role first, then a migration into the
 * existing target exactly as POST /api/v1/migrations admits it (`assessMigration`: policy, prod
 * guard, Secrets, system namespaces), or a clone with workloads exactly as plan apply admits it.
 * Used on create and update (caller's role), on run now (caller's role) and on every scheduled
 * tick (owner's role now), so a recipe is never a way around a rule.
 */
export async function admitRecipe(
  db: Database,
  req: { tenantId: string; role: Role; recipe: RecipeLike },
): Promise<RecipeRunSpec> {
  const { recipe, role, tenantId } = req;
  if (!roleAtLeast(role, RECIPE_ROLE))
    throw new AdmissionError(
      'policy_denied',
      `Environment recipes need the ${RECIPE_ROLE} role or above; this one acts as a ${role} [rule: builtin:recipe-operator]`,
    );
  const spec = parseSpec(recipe.spec);
  const source = await inventoryCluster(db, tenantId, recipe.sourceClusterId, 'sourceClusterId');
  return recipe.recreateCluster
    ? admitRecreate(db, tenantId, role, recipe, spec, source)
    : admitRefresh(db, tenantId, role, recipe, spec.workloads, source);
}

async function admitRefresh(
  db: Database,
  tenantId: string,
  role: Role,
  recipe: RecipeLike,
  workloads: EnvironmentWorkloads,
  source: Cluster,
): Promise<RecipeRunSpec> {
  if (!recipe.targetClusterId)
    throw new AdmissionError('validation_failed', 'A recipe refreshes a target cluster or re-creates one', [
      { path: 'body.targetClusterId', message: 'required unless recreateCluster is true' },
    ]);
  const target = await inventoryCluster(db, tenantId, recipe.targetClusterId, 'targetClusterId');
  const ctx = await loadAdmissionContext(db, tenantId);
  const request: MigrationRequest = {
    ...workloads,
    sourceClusterId: source.id,
    targetClusterId: target.id,
  };
  const outcome = assessMigration(ctx, role, request, { source, target }, undefined, 'body.spec.workloads');
  return {
    kind: 'migrate',
    input: {
      title: `Refresh ${request.namespaces.join(', ')} from ${source.name} (${source.cloud}) → ${target.name} (${target.cloud}) [recipe ${recipe.name}]`,
      ...request,
    },
    needsApproval: outcome.requireApproval,
  };
}

async function admitRecreate(
  db: Database,
  tenantId: string,
  role: Role,
  recipe: RecipeLike,
  spec: RecipeSpec,
  source: Cluster,
): Promise<RecipeRunSpec> {
  const clone = spec.clone;
  if (!clone)
    throw new AdmissionError(
      'validation_failed',
      'A recipe that re-creates its cluster names the plan to clone',
      [{ path: 'body.spec.clone', message: 'required with recreateCluster' }],
    );
  const plan = await db.plan.findFirst({ where: { id: clone.planId, tenantId } });
  if (!plan?.targetAccountId)
    throw new AdmissionError('validation_failed', `No plan ${clone.planId} with a target account`, [
      { path: 'body.spec.clone.planId', message: 'not a plan of this tenant with a target account' },
    ]);
  const account = await db.cloudAccount.findFirst({ where: { id: plan.targetAccountId, tenantId } });
  const doc = clonePlanSchema.safeParse(plan.document);
  const item = doc.success ? doc.data.items[clone.item] : undefined;
  if (!account || !item)
    throw new AdmissionError('validation_failed', `The plan has no item ${clone.item}`, [
      { path: 'body.spec.clone.item', message: 'not an item of the plan' },
    ]);
  if (item.source.name !== source.name || item.source.location !== source.location)
    throw new AdmissionError(
      'validation_failed',
      `Plan item ${clone.item} clones ${item.source.name}, not the recipe's source ${source.name}`,
      [{ path: 'body.sourceClusterId', message: 'must be the source of the plan item' }],
    );
  const workloads = spec.workloads;
  try {
    const admission = await admitEnvironmentApply(db, {
      tenantId,
      role,
      plan,
      account,
      index: clone.item,
      sourceClusterId: source.id,
      workloads,
      confirm: clone.confirm,
    });
    return {
      kind: 'environment',
      input: {
        title: `Re-create ${item.target.name} from ${item.source.name} with ${workloads.namespaces.join(', ')} [recipe ${recipe.name}]`,
        clone: {
          title: `Clone ${item.source.name} (${item.source.cloud} ${item.source.location}) → ${item.target.name} (${item.target.cloud} ${item.target.location})`,
          planId: plan.id,
          itemIndex: clone.item,
          item,
          targetAccountId: account.id,
          targetEnvironment: plan.targetEnvironment,
          sourceClusterId: source.id,
          ...(clone.confirm ? { confirm: clone.confirm } : {}),
        },
        workloads,
      },
      needsApproval: admission.requireApproval,
      planId: plan.id,
      planItemIndex: clone.item,
    };
  } catch (error) {
    if (error instanceof AdmissionError)
      throw remap(error, {
        'body.workloads': 'body.spec.workloads',
        'body.confirm': 'body.spec.clone.confirm',
        'body.items': 'body.spec.clone.item',
      });
    throw error;
  }
}

/** A run of the recipe that has not finished: the next one waits rather than piling up behind it. */
export async function activeRecipeRun(db: Database, recipeId: string) {
  return db.run.findFirst({
    where: { recipeId, status: { in: [...ACTIVE_STATUSES] } },
    orderBy: { createdAt: 'desc' },
  });
}

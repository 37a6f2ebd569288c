import type { EnvironmentRecipe } from '@dolly/db';
import { createRunNotifier, recipeSchedulerId, syncRecipeSchedule } from '@dolly/jobs';
import { activeRecipeRun, AdmissionError, admitRecipe, nextRunAt } from '@dolly/runs';
import type { ProcessorDeps } from '../deps.ts';

/** Why a tick started nothing, as the audit line and the log tell it. */
async function recordTick(
  deps: ProcessorDeps,
  recipe: EnvironmentRecipe,
  outcome: 'success' | 'denied' | 'failed',
  detail: Record<string, unknown>,
) {
  await deps.db.auditEntry.create({
    data: {
      tenantId: recipe.tenantId,
      actorUserId: recipe.ownerId,
      action: 'recipe.run',
      targetType: 'recipes',
      targetId: recipe.id,
      outcome,
      detail: { scheduled: true, ...detail } as object,
    },
  });
}

/**
 * A recipe's cron tick (docs/environments.md, "Scheduled refresh"). The owner must still be a
 * member, and the run is admitted again with the owner's role now and the tenant's policies now:
 * a refusal is an audit line (`recipe.run`, denied, with the reason) and nothing runs. A run of
 * the recipe that has not finished makes the tick a skip, so a slow refresh never piles up. A run
 * a policy holds for approval waits for it like a hand-made one.
 */
export async function processScheduledRecipe(deps: ProcessorDeps, tenantId: string, recipeId: string) {
  const recipe = await deps.db.environmentRecipe.findFirst({ where: { id: recipeId, tenantId } });
  if (!recipe?.enabled || !recipe.schedule) {
    // a scheduler that outlived its recipe (deleted, disabled from another replica): stop it
    if (recipe) await syncRecipeSchedule(deps.queues, recipe);
    else await deps.queues.queue('runs').removeJobScheduler(recipeSchedulerId(recipeId));
    return;
  }
  const next = nextRunAt(recipe.schedule, recipe.timezone);
  const active = await activeRecipeRun(deps.db, recipe.id);
  if (active) {
    await recordTick(deps, recipe, 'failed', {
      skipped: true,
      reason: `run ${active.id} of this recipe is still ${active.status}`,
      activeRunId: active.id,
    });
    await deps.db.environmentRecipe.update({ where: { id: recipe.id }, data: { nextRunAt: next } });
    deps.log.info({ recipeId, activeRunId: active.id }, 'recipe tick skipped: its last run is still active');
    return;
  }
  const membership = await deps.db.membership.findUnique({
    where: { tenantId_userId: { tenantId, userId: recipe.ownerId } },
  });
  let spec: Awaited<ReturnType<typeof admitRecipe>>;
  try {
    if (!membership)
      throw new AdmissionError(
        'policy_denied',
        'The owner of the recipe is no longer a member of the tenant',
      );
    spec = await admitRecipe(deps.db, { tenantId, role: membership.role, recipe });
  } catch (error) {
    if (!(error instanceof AdmissionError)) throw error;
    await recordTick(deps, recipe, 'denied', {
      reason: error.message,
      code: error.code,
      ...(membership ? { role: membership.role } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
    });
    await deps.db.environmentRecipe.update({ where: { id: recipe.id }, data: { nextRunAt: next } });
    deps.log.info({ recipeId, reason: error.message }, 'recipe tick refused');
    return;
  }
  const run = await deps.db.run.create({
    data: {
      tenantId,
      kind: spec.kind,
      status: spec.needsApproval ? 'pending_approval' : 'queued',
      // the owner is who the run acts for: the worker checks their role again at every start
      requestedById: recipe.ownerId,
      input: { ...spec.input, scheduled: true } as object,
      planId: spec.planId ?? null,
      planItemIndex: spec.planItemIndex ?? null,
      recipeId: recipe.id,
    },
  });
  await deps.db.environmentRecipe.update({
    where: { id: recipe.id },
    data: { lastRunId: run.id, nextRunAt: next },
  });
  await recordTick(deps, recipe, 'success', { runId: run.id, kind: spec.kind });
  if (spec.needsApproval) {
    await deps.appendRunEvent(run.id, 'info', 'Waiting for approval: a clone policy requires it', {
      data: { status: 'pending_approval', recipeId: recipe.id },
    });
    await createRunNotifier(deps.db, deps.queues, {
      ...(deps.webhookBackoffMs !== undefined ? { backoffMs: deps.webhookBackoffMs } : {}),
    })(run.id, 'pending_approval');
    return;
  }
  await deps.appendRunEvent(run.id, 'info', `${spec.input.title}: queued by its schedule`, {
    data: { status: 'queued', recipeId: recipe.id },
  });
  await deps.queues.enqueue('runs', spec.kind, { runId: run.id, tenantId });
}

/** Every recipe's scheduler as its row says, and none for a recipe that is gone; safe from every worker. */
export async function reconcileRecipeSchedules(deps: ProcessorDeps) {
  const recipes = await deps.db.environmentRecipe.findMany({
    select: { id: true, tenantId: true, enabled: true, schedule: true, timezone: true },
  });
  for (const recipe of recipes) await syncRecipeSchedule(deps.queues, recipe);
  const known = new Set(recipes.map((r) => recipeSchedulerId(r.id)));
  const queue = deps.queues.queue('runs');
  for (const s of await queue.getJobSchedulers()) {
    const id = s.key ?? s.id;
    if (id?.startsWith('recipe:') && !known.has(id)) await queue.removeJobScheduler(id);
  }
}

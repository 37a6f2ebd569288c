import type { EnvironmentRecipe } from '@dolly/db';
import type { Queues } from './queues.ts';

/** The BullMQ job scheduler of one environment recipe. */
export const recipeSchedulerId = (recipeId: string) => `recipe:${recipeId}`;

/**
 * One job scheduler per recipe that is enabled and has a schedule, firing `scheduled-recipe` on
 * its cron pattern in its time zone; any other recipe has none. Idempotent: the API calls it on
 * every change, the worker on start for every recipe.
 */
export async function syncRecipeSchedule(
  queues: Queues,
  recipe: Pick<EnvironmentRecipe, 'id' | 'tenantId' | 'enabled' | 'schedule' | 'timezone'>,
): Promise<void> {
  const queue = queues.queue('runs');
  const id = recipeSchedulerId(recipe.id);
  if (recipe.enabled && recipe.schedule) {
    await queue.upsertJobScheduler(
      id,
      { pattern: recipe.schedule, tz: recipe.timezone },
      {
        name: 'scheduled-recipe',
        data: { tenantId: recipe.tenantId, recipeId: recipe.id },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  } else {
    await queue.removeJobScheduler(id);
  }
}

/** A deleted recipe's scheduler goes with it. */
export async function removeRecipeSchedule(queues: Queues, recipeId: string): Promise<void> {
  await queues.queue('runs').removeJobScheduler(recipeSchedulerId(recipeId));
}

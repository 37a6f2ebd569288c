import { z } from 'zod';

/**
 * The typed queue catalog: queue -> job name -> payload schema, shared by producers (api) and
 * consumers (worker). Payloads carry ids only: never credentials or secrets.
 */
const runRef = z.object({ runId: z.uuid(), tenantId: z.uuid() });

export const queueCatalog = {
  runs: {
    selftest: runRef,
    sync: runRef,
    clone: runRef,
    rollback: runRef,
    migrate: runRef,
    environment: runRef,
    /** A timer, not a run: each tick creates the sync run it stands for. */
    'scheduled-sync': z.object({ tenantId: z.uuid() }),
    /** A recipe's cron tick: each one admits and starts the recipe's run, or records why not. */
    'scheduled-recipe': z.object({ tenantId: z.uuid(), recipeId: z.uuid() }),
  },
  /** One job per WebhookDelivery row; the row holds what is sent, the job only retries it. */
  webhooks: {
    deliver: z.object({ deliveryId: z.uuid(), tenantId: z.uuid() }),
  },
} as const;

export type QueueName = keyof typeof queueCatalog;
export type JobName<Q extends QueueName> = keyof (typeof queueCatalog)[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = z.infer<(typeof queueCatalog)[Q][J]>;

export function jobPayloadSchema<Q extends QueueName, J extends JobName<Q>>(
  queue: Q,
  job: J,
): z.ZodType<JobPayload<Q, J>> {
  return queueCatalog[queue][job] as z.ZodType<JobPayload<Q, J>>;
}

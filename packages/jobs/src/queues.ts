import { type JobName, type JobPayload, type QueueName, jobPayloadSchema } from '@dolly/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export const queueNames: QueueName[] = ['runs', 'webhooks'];

/** The key prefix of every Dolly queue in Redis; tests use their own to stay apart. */
export const defaultQueuePrefix = 'dolly';

export interface Queues {
  /** Validates the payload against the queue catalog, then enqueues; job id = run id. */
  enqueue<Q extends QueueName, J extends JobName<Q>>(
    queue: Q,
    job: J,
    payload: JobPayload<Q, J>,
    opts?: JobsOptions,
  ): Promise<string>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix = defaultQueuePrefix): Queues {
  const queues = new Map<QueueName, Queue>();
  const get = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      queues.set(name, q);
    }
    return q;
  };
  return {
    async enqueue(queue, job, payload, opts) {
      const data = jobPayloadSchema(queue, job).parse(payload);
      const runId = (data as { runId?: string }).runId;
      const added = await get(queue).add(job, data, {
        jobId: runId,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
        ...opts,
      });
      return added.id ?? '';
    },
    queue: get,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

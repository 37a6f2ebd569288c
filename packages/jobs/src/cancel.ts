import type { Redis } from 'ioredis';

/** One channel for every cancel request; the worker holding the run is the one that listens for it. */
export const CANCEL_CHANNEL = 'dolly:run-cancel';

export class RunCancelledError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was cancelled`);
    this.name = 'RunCancelledError';
  }
}

export function publishCancel(redis: Redis, runId: string) {
  return redis.publish(CANCEL_CHANNEL, runId);
}

export interface CancelRegistry {
  /** The signal of a run this worker now holds; aborted when someone cancels the run. */
  hold(runId: string): AbortSignal;
  release(runId: string): void;
  /** Aborts a run held here (used when the database says "cancelling" before the message came). */
  abort(runId: string): void;
  close(): Promise<void>;
}

/**
 * Listens on a dedicated subscriber connection (a subscribed ioredis connection can do nothing
 * else). Messages for runs held by other workers are ignored.
 */
export async function createCancelRegistry(subscriber: Redis): Promise<CancelRegistry> {
  const held = new Map<string, AbortController>();
  const abort = (runId: string) => held.get(runId)?.abort(new RunCancelledError(runId));
  subscriber.on('message', (channel: string, runId: string) => {
    if (channel === CANCEL_CHANNEL) abort(runId);
  });
  await subscriber.subscribe(CANCEL_CHANNEL);
  return {
    hold(runId) {
      let controller = held.get(runId);
      if (!controller || controller.signal.aborted) {
        controller = new AbortController();
        held.set(runId, controller);
      }
      return controller.signal;
    },
    release(runId) {
      held.delete(runId);
    },
    abort,
    async close() {
      await subscriber.unsubscribe(CANCEL_CHANNEL).catch(() => undefined);
    },
  };
}

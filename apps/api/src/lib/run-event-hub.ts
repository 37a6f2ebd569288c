import { runEventChannel } from '@dolly/jobs';
import type { Redis } from 'ioredis';

/**
 * One Redis subscriber per API process, fanned out to every SSE stream in it. Messages are only
 * wake-up calls: streams re-read Postgres after their last id, so nothing is missed or duplicated.
 */
export function createRunEventHub(subscriber: Redis) {
  const listeners = new Map<string, Set<() => void>>();
  subscriber.on('message', (channel: string) => {
    const runId = channel.slice(runEventChannel('').length);
    for (const listener of listeners.get(runId) ?? []) listener();
  });
  return {
    async listen(runId: string, onWake: () => void): Promise<() => Promise<void>> {
      let set = listeners.get(runId);
      if (!set) {
        set = new Set();
        listeners.set(runId, set);
        await subscriber.subscribe(runEventChannel(runId));
      }
      set.add(onWake);
      return async () => {
        set.delete(onWake);
        if (set.size === 0) {
          listeners.delete(runId);
          await subscriber.unsubscribe(runEventChannel(runId));
        }
      };
    },
  };
}

export type RunEventHub = ReturnType<typeof createRunEventHub>;

import { Semaphore } from 'async-mutex';

/**
 * The worker's slots for work, as opposed to runs in flight. A clone spends nearly all its time
 * waiting for a cloud (an EKS control plane takes ~15 min); holding a slot through that wait made
 * a 20-cluster plan run in waves of the worker's concurrency. A step holds a slot while it works
 * and gives it back while it waits between polls, so the limit bounds what the process does at
 * once, not how many clouds it waits on.
 */
export interface WorkSlots {
  readonly limit: number;
  /** Resolves with a release function once a slot is free; release is idempotent. */
  acquire(): Promise<() => void>;
  /** Slots in use now (for metrics and tests). */
  busy(): number;
}

export function createWorkSlots(limit: number): WorkSlots {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`work slots: limit ${limit} is not a positive integer`);
  const semaphore = new Semaphore(limit);
  return {
    limit,
    async acquire() {
      const [, release] = await semaphore.acquire();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
    busy: () => limit - Math.max(0, semaphore.getValue()),
  };
}

/**
 * One step's hold on a slot: `idle(wait)` lets the slot go for the wait and takes one again before
 * the step goes on. Without slots (the API, tests of the runner) it only waits.
 */
export function slotHolder(slots: WorkSlots | undefined) {
  let release: (() => void) | undefined;
  const take = async () => {
    if (slots && !release) release = await slots.acquire();
  };
  const give = () => {
    release?.();
    release = undefined;
  };
  const idle = async <T>(wait: () => Promise<T>): Promise<T> => {
    give();
    try {
      return await wait();
    } finally {
      await take();
    }
  };
  return { take, give, idle };
}

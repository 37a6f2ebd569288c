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
  // A step may wait on several things at once (EKS add-ons side by side): concurrent takes share one
  // acquire, or each would take a slot and all but the last would never be given back.
  let taking: Promise<void> | undefined;
  const take = (): Promise<void> => {
    if (!slots || release) return Promise.resolve();
    taking ??= slots.acquire().then((r) => {
      release = r;
      taking = undefined;
    });
    return taking;
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

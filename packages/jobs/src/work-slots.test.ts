import { describe, expect, it } from 'vitest';
import { createWorkSlots, slotHolder } from './work-slots.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('work slots', () => {
  it('hands a slot to a waiter only when one is released, and release is idempotent', async () => {
    const slots = createWorkSlots(1);
    const first = await slots.acquire();
    let second: (() => void) | undefined;
    void slots.acquire().then((r) => {
      second = r;
    });
    await tick();
    expect(second).toBeUndefined();
    first();
    first();
    await tick();
    expect(second).toBeDefined();
    expect(slots.busy()).toBe(1);
    second?.();
    expect(slots.busy()).toBe(0);
  });

  it('frees the slot for the length of an idle wait and takes it back before going on', async () => {
    const slots = createWorkSlots(1);
    const step = slotHolder(slots);
    await step.take();
    let other: (() => void) | undefined;
    let finishWait: (() => void) | undefined;
    const waiting = step.idle(
      () =>
        new Promise<string>((resolve) => {
          finishWait = () => resolve('polled');
        }),
    );
    // while the step waits, another step gets the only slot
    other = await slots.acquire();
    expect(slots.busy()).toBe(1);
    finishWait?.();
    await tick();
    let resumed = false;
    void waiting.then(() => {
      resumed = true;
    });
    await tick();
    expect(resumed).toBe(false);
    other();
    other = undefined;
    await expect(waiting).resolves.toBe('polled');
    expect(slots.busy()).toBe(1);
    step.give();
    expect(slots.busy()).toBe(0);
  });

  it('concurrent idle waits of one step hold at most one slot and leak none', async () => {
    const slots = createWorkSlots(2);
    const step = slotHolder(slots);
    await step.take();
    const waits = Array.from({ length: 5 }, (_, i) => step.idle(async () => i));
    await expect(Promise.all(waits)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(slots.busy()).toBe(1);
    step.give();
    expect(slots.busy()).toBe(0);
  });

  it('without slots an idle wait just waits', async () => {
    const step = slotHolder(undefined);
    await step.take();
    await expect(step.idle(async () => 7)).resolves.toBe(7);
    step.give();
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createWorkSlots(0)).toThrow(RangeError);
    expect(() => createWorkSlots(1.5)).toThrow(RangeError);
  });
});

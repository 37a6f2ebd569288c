import { describe, expect, it } from 'vitest';
import { abortableDelay } from './account-limiter.ts';
import { slugList } from './cloud-access.ts';
import { runEventChannel, toRunEventDto } from './run-events.ts';
import { StepFailedError, describeStepError } from './step-runner.ts';

describe('describeStepError', () => {
  it('keeps the message, the name and the string fields of a cloud error, nothing else', () => {
    const error = Object.assign(new TypeError('denied'), {
      class: 'cloud_rejected',
      cloud: 'gcp',
      operation: 'createCluster',
      requestId: 'r-1',
      cloudCode: 'PERMISSION_DENIED',
      field: 'network',
      credentials: { token: 'secret' },
      status: 403,
    });
    expect(describeStepError(error)).toEqual({
      message: 'denied',
      name: 'TypeError',
      class: 'cloud_rejected',
      cloud: 'gcp',
      operation: 'createCluster',
      requestId: 'r-1',
      cloudCode: 'PERMISSION_DENIED',
      field: 'network',
    });
  });

  it('ignores known fields that are not strings, and describes a thrown non-error by its text', () => {
    expect(describeStepError(Object.assign(new Error('x'), { requestId: 42 }))).toEqual({
      message: 'x',
      name: 'Error',
    });
    expect(describeStepError('plain string')).toEqual({ message: 'plain string' });
    expect(describeStepError(undefined)).toEqual({ message: 'undefined' });
  });
});

describe('StepFailedError', () => {
  it('names the step and keeps the cause', () => {
    const cause = new Error('boom');
    const error = new StepFailedError('apply', cause);
    expect(error.message).toBe('apply: boom');
    expect(error.name).toBe('StepFailedError');
    expect(error.cause).toBe(cause);
    expect(new StepFailedError('apply', 'timeout').message).toBe('apply: timeout');
  });
});

describe('abortableDelay', () => {
  it('resolves after the delay', async () => {
    const started = Date.now();
    await abortableDelay(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('rejects with the reason of a signal aborted before or during the wait', async () => {
    const reason = new Error('stop');
    await expect(abortableDelay(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const started = Date.now();
    const waiting = abortableDelay(10_000, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(waiting).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops listening to the signal once the delay is over', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 3; i++) await abortableDelay(1, controller.signal);
    // a long-lived run signal would otherwise collect one listener per wait
    expect(listeners).toBe(0);
  });
});

describe('toRunEventDto', () => {
  const row = {
    id: 9007199254740993n,
    runId: 'run-1',
    level: 'info',
    stepKey: null,
    message: 'Run started',
    data: null,
    createdAt: new Date('2026-12-06T10:00:00.000Z'),
  };

  it('sends the bigint id as a string, without losing digits, and the date as ISO', () => {
    expect(toRunEventDto(row)).toEqual({
      id: '9007199254740993',
      runId: 'run-1',
      level: 'info',
      stepKey: null,
      message: 'Run started',
      createdAt: '2026-12-06T10:00:00.000Z',
    });
  });

  it('leaves out empty data and keeps any other', () => {
    expect('data' in toRunEventDto(row)).toBe(false);
    expect(toRunEventDto({ ...row, data: { n: 0 } }).data).toEqual({ n: 0 });
    expect(toRunEventDto({ ...row, data: 0 }).data).toBe(0);
  });

  it('has one channel per run', () => {
    expect(runEventChannel('a')).toBe('dolly:run-events:a');
    expect(runEventChannel('a')).not.toBe(runEventChannel('b'));
  });
});

describe('slugList', () => {
  it('splits, trims and drops empty entries', () => {
    expect(slugList(' a,b , c,,')).toEqual(['a', 'b', 'c']);
    expect(slugList(undefined)).toEqual([]);
    expect(slugList('')).toEqual([]);
  });
});

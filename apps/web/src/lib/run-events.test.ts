import { describe, expect, it } from 'vitest';
import {
  compareEventIds,
  filterEvents,
  latestProgressByStep,
  logFileText,
  mergeEvents,
  type RunEvent,
} from './run-events.ts';

const ev = (id: string, message = `event ${id}`, extra: Partial<RunEvent> = {}): RunEvent => ({
  id,
  runId: '00000000-0000-4000-8000-000000000001',
  level: 'info',
  stepKey: null,
  message,
  createdAt: '2026-01-01T10:00:00.000Z',
  ...extra,
});

describe('mergeEvents', () => {
  it('adds new events in order', () => {
    const out = mergeEvents([ev('1')], [ev('2'), ev('3')]);
    expect(out.map((e) => e.id)).toEqual(['1', '2', '3']);
  });

  it('drops events replayed after a reconnect (same id)', () => {
    const first = mergeEvents([], [ev('1'), ev('2')]);
    const out = mergeEvents(first, [ev('2'), ev('3')]);
    expect(out.map((e) => e.id)).toEqual(['1', '2', '3']);
  });

  it('returns the same array when nothing is new, so React can skip a render', () => {
    const first = mergeEvents([], [ev('1')]);
    expect(mergeEvents(first, [ev('1')])).toBe(first);
    expect(mergeEvents(first, [])).toBe(first);
  });

  it('de-duplicates within one batch', () => {
    expect(mergeEvents([], [ev('5'), ev('5')]).map((e) => e.id)).toEqual(['5']);
  });

  it('orders by numeric id, not by string (9 before 10)', () => {
    const out = mergeEvents([ev('10')], [ev('9'), ev('11')]);
    expect(out.map((e) => e.id)).toEqual(['9', '10', '11']);
  });
});

describe('compareEventIds', () => {
  it('compares bigint strings numerically', () => {
    expect(compareEventIds('9', '10')).toBeLessThan(0);
    expect(compareEventIds('123456789012345678', '123456789012345677')).toBeGreaterThan(0);
    expect(compareEventIds('42', '42')).toBe(0);
  });
});

describe('latestProgressByStep', () => {
  it('keeps the last progress of each step and ignores other data', () => {
    const events = [
      ev('1', 'creating', {
        stepKey: 'control-plane',
        data: { progress: { phase: 'CREATING', percent: 10 } },
      }),
      ev('2', 'step started', { stepKey: 'control-plane', data: { transition: 'started', attempt: 1 } }),
      ev('3', 'creating', {
        stepKey: 'control-plane',
        data: { progress: { phase: 'CREATING', percent: 60 } },
      }),
      ev('4', 'pool', { stepKey: 'node-pool:web', data: { progress: { phase: 'waiting' } } }),
    ];
    const progress = latestProgressByStep(events);
    expect(progress.get('control-plane')).toEqual({ phase: 'CREATING', percent: 60 });
    expect(progress.get('node-pool:web')).toEqual({ phase: 'waiting' });
  });
});

describe('log search and download', () => {
  const events = [
    ev('1', 'Validating the plan', { stepKey: 'validate' }),
    ev('2', 'Creating control plane', {
      stepKey: 'control-plane',
      level: 'warn',
      data: { requestId: 'r-1' },
    }),
  ];
  it('filters lines by message, step key or level, case-insensitively', () => {
    expect(filterEvents(events, 'CONTROL').map((e) => e.id)).toEqual(['2']);
    expect(filterEvents(events, 'warn').map((e) => e.id)).toEqual(['2']);
    expect(filterEvents(events, '  ')).toBe(events);
  });
  it('writes one line per event with its data', () => {
    expect(logFileText(events)).toBe(
      '2026-01-01T10:00:00.000Z  INFO  [validate]  Validating the plan\n' +
        '2026-01-01T10:00:00.000Z  WARN  [control-plane]  Creating control plane  {"requestId":"r-1"}\n',
    );
  });
});

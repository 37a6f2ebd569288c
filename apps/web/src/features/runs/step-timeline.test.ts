import { describe, expect, it } from 'vitest';
import { stepLabel, stepOperation, stepTimeline } from './step-timeline.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();
const step = (key: string, start: number | null, end: number | null, status = 'succeeded') => ({
  key,
  status: status as 'succeeded',
  attempt: 1,
  startedAt: start === null ? null : at(start),
  finishedAt: end === null ? null : at(end),
  cloudRequestIds: [],
});

describe('stepTimeline', () => {
  it('places steps on the run time axis in percent, parallel pools overlapping', () => {
    const bars = stepTimeline(
      {
        startedAt: at(0),
        finishedAt: at(100),
        steps: [
          step('validate', 0, 10),
          step('control-plane', 10, 60),
          step('node-pool:web', 60, 90),
          step('node-pool:batch', 60, 100),
        ],
      },
      Date.parse(at(200)),
    );
    expect(bars.map((b) => [b.key, b.offsetPct, b.widthPct, b.durationMs])).toEqual([
      ['validate', 0, 10, 10_000],
      ['control-plane', 10, 50, 50_000],
      ['node-pool:web', 60, 30, 30_000],
      ['node-pool:batch', 60, 40, 40_000],
    ]);
  });

  it('grows a running step until now and leaves pending steps without a bar', () => {
    const bars = stepTimeline(
      {
        startedAt: at(0),
        finishedAt: null,
        steps: [
          step('validate', 0, 5),
          step('control-plane', 5, null, 'running'),
          step('addons', null, null, 'pending'),
        ],
      },
      Date.parse(at(20)),
    );
    expect(bars[1]).toMatchObject({ offsetPct: 25, widthPct: 75, durationMs: 15_000, running: true });
    expect(bars[2]).toMatchObject({ widthPct: 0, durationMs: undefined });
  });

  it('keeps instant steps visible', () => {
    const [bar] = stepTimeline({ startedAt: at(0), finishedAt: at(100), steps: [step('validate', 0, 0)] }, 0);
    expect(bar?.widthPct).toBe(0.5);
  });
});

describe('step names', () => {
  it('reads node pool keys and known steps', () => {
    expect(stepLabel('node-pool:gpu-pool')).toBe('Node pool gpu-pool');
    expect(stepLabel('wait-ready')).toBe('Wait until ready');
    expect(stepLabel('check-database')).toBe('Check database');
    expect(stepLabel('delete:cluster:shop-dev-cancel')).toBe('Delete cluster shop-dev-cancel');
    expect(stepOperation('node-pool:gpu-pool')).toBe('node-pool');
  });
});

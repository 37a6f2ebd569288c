import type { Run } from '../../lib/runs.ts';

export type RunStep = NonNullable<Run['steps']>[number];

export interface StepBar {
  key: string;
  /** "Node pool web" for `node-pool:web`, "Control plane" for `control-plane`. */
  label: string;
  status: RunStep['status'];
  attempt: number;
  durationMs: number | undefined;
  /** Position of the bar on the run's time axis, in percent (0-100). */
  offsetPct: number;
  widthPct: number;
  running: boolean;
}

const stepLabels: Record<string, string> = {
  validate: 'Validate the plan',
  'policy-check': 'Policy check',
  'control-plane': 'Control plane',
  addons: 'Add-ons',
  'wait-ready': 'Wait until ready',
  'read-back': 'Read back and compare',
};

/** `node-pool:web` → "Node pool web", `delete:cluster:shop-dev` → "Delete cluster shop-dev". */
export function stepLabel(key: string): string {
  const known = stepLabels[key];
  if (known) return known;
  const [head = key, ...rest] = key.split(':');
  const words = head.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return [words, ...rest].join(' ');
}

/** The operation a step stands for, for statistics: `node-pool:web` → `node-pool`. */
export function stepOperation(key: string): string {
  return key.split(':')[0] ?? key;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : undefined);

/**
 * One bar per step on a shared time axis from the run's start to its end (or now while it runs),
 * like a Gantt chart: parallel node pools show as overlapping bars. A bar is at least 0.5% wide so
 * an instant step stays visible.
 */
export function stepTimeline(run: Pick<Run, 'startedAt' | 'finishedAt' | 'steps'>, now: number): StepBar[] {
  const steps = run.steps ?? [];
  const starts = steps.map((s) => ms(s.startedAt)).filter((t): t is number => t !== undefined);
  const origin = ms(run.startedAt) ?? (starts.length ? Math.min(...starts) : now);
  const ends = steps.map((s) => ms(s.finishedAt) ?? (s.startedAt ? now : undefined));
  const end = Math.max(
    ms(run.finishedAt) ?? now,
    ...ends.filter((t): t is number => t !== undefined),
    origin + 1,
  );
  const span = end - origin;
  return steps.map((s) => {
    const start = ms(s.startedAt);
    const finish = ms(s.finishedAt) ?? (start !== undefined ? now : undefined);
    const running = s.status === 'running';
    if (start === undefined || finish === undefined) {
      return {
        key: s.key,
        label: stepLabel(s.key),
        status: s.status,
        attempt: s.attempt,
        durationMs: undefined,
        offsetPct: 0,
        widthPct: 0,
        running,
      };
    }
    const offsetPct = Math.min(100, Math.max(0, ((start - origin) / span) * 100));
    const widthPct = Math.max(0.5, Math.min(100 - offsetPct, ((finish - start) / span) * 100));
    return {
      key: s.key,
      label: stepLabel(s.key),
      status: s.status,
      attempt: s.attempt,
      durationMs: Math.max(0, finish - start),
      offsetPct,
      widthPct,
      running,
    };
  });
}

import type { Run, RunEvent, RunStatus, RunStep } from '../api/types.ts';

export type StepStatus = RunStep['status'];

export interface StepView {
  key: string;
  status: StepStatus;
  attempt: number;
  /** Epoch ms, from the server's timestamps (so durations survive a reconnect). */
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  /** phase: the machine phase; label: the cloud's own words for it when it gave some. */
  progress?: { phase: string; percent?: number; label?: string };
  message?: string;
}

export interface RunView {
  id: string;
  kind: string;
  title?: string;
  status: RunStatus;
  createdAt?: number;
  startedAt?: number;
  finishedAt?: number;
  steps: StepView[];
  lastMessage?: string;
  lastEventId?: string;
  error?: string;
}

const time = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

const errorText = (e: unknown): string | undefined => {
  if (e === undefined || e === null) return undefined;
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && 'message' in e && typeof e.message === 'string') return e.message;
  return JSON.stringify(e);
};

export function viewOfRun(run: Run): RunView {
  const view: RunView = {
    id: run.id,
    kind: run.kind,
    status: run.status,
    steps: (run.steps ?? []).map((s) => {
      const step: StepView = { key: s.key, status: s.status, attempt: s.attempt };
      const started = time(s.startedAt);
      const finished = time(s.finishedAt);
      if (started !== undefined) step.startedAt = started;
      if (finished !== undefined) step.finishedAt = finished;
      if (started !== undefined && finished !== undefined) step.durationMs = finished - started;
      const err = errorText(s.error);
      if (err) step.message = err;
      return step;
    }),
  };
  if (run.title) view.title = run.title;
  const created = time(run.createdAt);
  const started = time(run.startedAt);
  const finished = time(run.finishedAt);
  if (created !== undefined) view.createdAt = created;
  if (started !== undefined) view.startedAt = started;
  if (finished !== undefined) view.finishedAt = finished;
  const err = errorText(run.error);
  if (err) view.error = err;
  return view;
}

interface EventData {
  transition?: 'running' | 'succeeded' | 'failed';
  attempt?: number;
  durationMs?: number;
  progress?: { phase?: string; percent?: number };
}

function eventData(e: RunEvent): EventData {
  const d = e.data;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return {};
  const o = d as Record<string, unknown>;
  const out: EventData = {};
  if (o.transition === 'running' || o.transition === 'succeeded' || o.transition === 'failed')
    out.transition = o.transition;
  if (typeof o.attempt === 'number') out.attempt = o.attempt;
  if (typeof o.durationMs === 'number') out.durationMs = o.durationMs;
  if (o.progress && typeof o.progress === 'object') {
    const p = o.progress as Record<string, unknown>;
    out.progress = {
      ...(typeof p.phase === 'string' ? { phase: p.phase } : {}),
      ...(typeof p.percent === 'number' ? { percent: p.percent } : {}),
    };
  }
  return out;
}

function stepOf(view: RunView, key: string): StepView {
  let step = view.steps.find((s) => s.key === key);
  if (!step) {
    step = { key, status: 'pending', attempt: 0 };
    view.steps.push(step);
  }
  return step;
}

/** Folds one run event into the view: step transitions, progress, the latest log line. */
export function applyEvent(view: RunView, event: RunEvent): RunView {
  view.lastEventId = event.id;
  const at = time(event.createdAt);
  const data = eventData(event);
  if (!event.stepKey) {
    view.lastMessage = event.message;
    return view;
  }
  const step = stepOf(view, event.stepKey);
  if (data.transition === 'running') {
    step.status = 'running';
    step.attempt = data.attempt ?? step.attempt + 1;
    if (at !== undefined) step.startedAt = at;
    delete step.finishedAt;
    delete step.durationMs;
    delete step.progress;
    delete step.message;
  } else if (data.transition === 'succeeded' || data.transition === 'failed') {
    step.status = data.transition;
    if (at !== undefined) step.finishedAt = at;
    const measured =
      data.durationMs ??
      (step.startedAt !== undefined && at !== undefined ? Math.max(0, at - step.startedAt) : undefined);
    if (measured !== undefined) step.durationMs = measured;
    delete step.progress;
    if (data.transition === 'failed') step.message = event.message.replace(`${step.key}: failed: `, '');
  } else if (data.progress?.phase !== undefined || data.progress?.percent !== undefined) {
    if (step.status === 'pending') step.status = 'running';
    const label = event.message.startsWith(`${step.key}: `) ? event.message.slice(step.key.length + 2) : '';
    step.progress = {
      phase: data.progress.phase ?? step.progress?.phase ?? '',
      ...(data.progress.percent !== undefined ? { percent: data.progress.percent } : {}),
      ...(label ? { label } : {}),
    };
  } else {
    step.message = event.message;
  }
  return view;
}

export function applyStatus(view: RunView, status: RunStatus): RunView {
  view.status = status;
  return view;
}

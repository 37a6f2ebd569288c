import type { Run } from '../../lib/runs.ts';
import { formatDuration } from '../../lib/format.ts';
import type { StepProgress } from '../../lib/run-events.ts';
import { type RunStep, type StepBar, stepTimeline } from './step-timeline.ts';

const stepStatus: Record<RunStep['status'], { icon: string; label: string; tone: string }> = {
  pending: { icon: '○', label: 'Pending', tone: 'neutral' },
  running: { icon: '◌', label: 'Running', tone: 'progress' },
  succeeded: { icon: '✓', label: 'Succeeded', tone: 'success' },
  failed: { icon: '✕', label: 'Failed', tone: 'danger' },
  skipped: { icon: '↷', label: 'Skipped', tone: 'neutral' },
};

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && 'message' in error && typeof error.message === 'string')
    return error.message;
  return JSON.stringify(error);
}

/**
 * The steps of a run with a Gantt-like bar each on one time axis: what ran when, what ran in
 * parallel (node pools), and what took longest. Status is an icon and a word, never only a colour.
 */
export function RunSteps({
  run,
  now,
  progress,
}: {
  run: Run;
  now: number;
  progress: Map<string, StepProgress>;
}) {
  const bars = stepTimeline(run, now);
  const steps = new Map((run.steps ?? []).map((s) => [s.key, s]));
  if (bars.length === 0) return <p className="muted">No step has started yet.</p>;
  return (
    <ol className="steps" aria-label="Steps">
      {bars.map((bar) => (
        <StepRow key={bar.key} bar={bar} step={steps.get(bar.key)} progress={progress.get(bar.key)} />
      ))}
    </ol>
  );
}

function StepRow({
  bar,
  step,
  progress,
}: {
  bar: StepBar;
  step: RunStep | undefined;
  progress?: StepProgress;
}) {
  const status = stepStatus[bar.status];
  const error = errorText(step?.error);
  const requestIds = step?.cloudRequestIds ?? [];
  return (
    <li data-step={bar.key} data-step-status={bar.status} className="step">
      <div className="step-head">
        <span className={`step-status tone-${status.tone}`}>
          <span aria-hidden="true" className={bar.running ? 'spin' : undefined}>
            {status.icon}
          </span>{' '}
          {status.label}
        </span>
        <span className="step-name">
          {bar.label} <code className="step-key">{bar.key}</code>
        </span>
        {bar.attempt > 1 && <span className="muted small">attempt {bar.attempt}</span>}
        <span className="step-duration">
          {bar.durationMs === undefined ? '' : formatDuration(bar.durationMs)}
        </span>
      </div>
      <div className="step-track" aria-hidden="true">
        {bar.widthPct > 0 && (
          <div
            className={`step-bar tone-bg-${status.tone}`}
            style={{ marginLeft: `${bar.offsetPct}%`, width: `${bar.widthPct}%` }}
          />
        )}
      </div>
      {progress && bar.running && (
        <div className="step-progress">
          <span className="muted small">{progress.phase}</span>
          {progress.percent !== undefined && (
            <progress max={100} value={progress.percent} aria-label={`${bar.label} progress`}>
              {progress.percent}%
            </progress>
          )}
        </div>
      )}
      {error && (
        <p className="error small">
          <span aria-hidden="true">✕ </span>
          {error}
        </p>
      )}
      {requestIds.length > 0 && (
        <details className="small">
          <summary>Cloud request ids ({requestIds.length})</summary>
          <ul className="request-ids">
            {requestIds.map((id) => (
              <li key={id}>
                <code>{id}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

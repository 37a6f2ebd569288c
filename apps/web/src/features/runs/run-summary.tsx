import { Link } from 'react-router';
import { formatDateTime, formatDuration, elapsedMs } from '../../lib/format.ts';
import { type Run, statusInfo } from '../../lib/runs.ts';
import type { StreamState } from './use-run-events.ts';

const errorClasses: Record<string, string> = {
  input: 'Invalid input',
  policy: 'Refused by a policy',
  cloud: 'Cloud error',
  cloud_throttled: 'Throttled by the cloud',
  cloud_quota: 'Cloud quota exceeded',
  cloud_rejected: 'Rejected by the cloud',
  system: 'Dolly system failure',
};

const streamLabels: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  ended: 'complete',
};

function message(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'message' in value && typeof value.message === 'string')
    return value.message;
  return JSON.stringify(value);
}

/** Status description, who and when, live duration, lineage (retry/rollback of), and the error. */
export function RunSummary({ run, now, stream }: { run: Run; now: number; stream: StreamState }) {
  const info = statusInfo(run.status);
  const duration = elapsedMs(run.startedAt, run.finishedAt, now);
  const error = message(run.error);
  return (
    <div className="run-summary">
      <p className={`status-line tone-${info.tone}`}>{info.description}.</p>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{run.kind}</dd>
        {run.requestedBy && (
          <>
            <dt>Requested by</dt>
            <dd>{run.requestedBy}</dd>
          </>
        )}
        {run.approvedBy && (
          <>
            <dt>Approved by</dt>
            <dd>
              {run.approvedBy} {run.approvedAt ? `at ${formatDateTime(run.approvedAt)}` : ''}
            </dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{formatDateTime(run.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{run.startedAt ? formatDateTime(run.startedAt) : 'not yet'}</dd>
        <dt>Duration</dt>
        <dd data-testid="run-duration">{duration === undefined ? '—' : formatDuration(duration)}</dd>
        <dt>Events</dt>
        <dd>
          <span className={stream === 'reconnecting' ? 'tone-attention' : undefined}>
            <span aria-hidden="true">
              {stream === 'live' ? '● ' : stream === 'reconnecting' ? '↻ ' : '○ '}
            </span>
            {streamLabels[stream]}
          </span>
        </dd>
        {run.parentRunId && (
          <>
            <dt>{run.kind === 'rollback' ? 'Rolls back' : 'Continues'}</dt>
            <dd>
              <Link to={`/runs/${run.parentRunId}`}>run {run.parentRunId.slice(0, 8)}</Link>
            </dd>
          </>
        )}
        {run.planId && (
          <>
            <dt>Plan</dt>
            <dd>
              <Link to={`/runs?planId=${run.planId}`}>
                <code>{run.planId.slice(0, 8)}</code>
                {run.planItemIndex !== null ? `, item ${run.planItemIndex + 1}` : ''}
              </Link>
            </dd>
          </>
        )}
      </dl>
      {error && (
        <div role="alert" className="problem">
          <p>
            <span aria-hidden="true">✕ </span>
            {run.errorClass ? <strong>{errorClasses[run.errorClass] ?? run.errorClass}: </strong> : null}
            {error}
          </p>
        </div>
      )}
    </div>
  );
}

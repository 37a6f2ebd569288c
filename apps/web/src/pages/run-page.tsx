import { useParams } from 'react-router';
import { StatusBadge } from '../components/status-badge.tsx';
import { useRun, useRunEvents } from '../lib/runs.ts';

function duration(start: string | null, end: string | null) {
  if (!start) return '';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function RunPage() {
  const { runId = '' } = useParams();
  const run = useRun(runId);
  const { events, connected } = useRunEvents(runId);
  if (run.isPending) return <p>Loading run…</p>;
  if (run.error)
    return (
      <p role="alert" className="error">
        {run.error.message}
      </p>
    );
  const r = run.data;
  return (
    <section>
      <h1>
        Run <code>{r.id.slice(0, 8)}</code> <StatusBadge status={r.status} />
      </h1>
      <p className="muted">
        {r.kind} · started {r.startedAt ? new Date(r.startedAt).toLocaleTimeString() : 'not yet'} ·{' '}
        {duration(r.startedAt, r.finishedAt)} · {connected ? 'live' : 'not streaming'}
      </p>
      <h2>Steps</h2>
      <ol className="steps" aria-label="Steps">
        {(r.steps ?? []).map((s) => (
          <li key={s.key} data-step-status={s.status}>
            <span className="step-key">{s.key}</span> <span className="muted">{s.status}</span>{' '}
            <span className="muted">{duration(s.startedAt, s.finishedAt)}</span>
          </li>
        ))}
      </ol>
      <h2>Log</h2>
      <pre className="log" role="log" aria-label="Run log" aria-live="polite">
        {events
          .map((e) => `${new Date(e.createdAt).toLocaleTimeString()}  ${e.level.padEnd(5)}  ${e.message}`)
          .join('\n')}
      </pre>
    </section>
  );
}

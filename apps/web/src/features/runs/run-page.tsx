import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { usePageTitle } from '../../lib/page-title.ts';
import { latestProgressByStep } from '../../lib/run-events.ts';
import { isTerminalStatus, statusInfo, useRun } from '../../lib/runs.ts';
import { useNow } from '../../lib/use-now.ts';
import { RunActions } from './run-actions.tsx';
import { RunChildren } from './run-children.tsx';
import { RunLog } from './run-log.tsx';
import { RunResources } from './run-resources.tsx';
import { RunResult } from './run-result.tsx';
import { RunSteps } from './run-steps.tsx';
import { RunSummary } from './run-summary.tsx';
import { useRunEvents } from './use-run-events.ts';

/**
 * One run, live: status, actions, steps with timing bars, per-resource results and the log.
 * It survives a reload (everything is read back from the API, the log replays from the start)
 * and a network blip (the event stream resumes from the last event id).
 */
export function RunPage() {
  const { runId = '' } = useParams();
  const run = useRun(runId, { poll: true });
  const { events, state } = useRunEvents(runId);
  const progress = useMemo(() => latestProgressByStep(events), [events]);
  const active = run.data ? !isTerminalStatus(run.data.status) : false;
  const now = useNow(active);
  usePageTitle(
    run.data ? `${statusInfo(run.data.status).label} · ${run.data.title ?? run.data.kind}` : 'Run',
  );
  if (run.isPending) return <p role="status">Loading run…</p>;
  if (run.error) return <ProblemAlert error={run.error} />;
  const r = run.data;
  return (
    <section aria-labelledby="run-heading" className="run-page">
      <p className="breadcrumbs">
        <Link to="/runs">Runs</Link> / <code>{r.id.slice(0, 8)}</code>
      </p>
      <div className="page-head">
        <h1 id="run-heading">
          {r.title ?? `${r.kind} run`} <StatusBadge status={r.status} />
        </h1>
        <RunActions run={r} />
      </div>
      <RunSummary run={r} now={now} stream={state} />
      <RunResult run={r} />
      <RunChildren run={r} />
      <h2>Steps</h2>
      <RunSteps run={r} now={now} progress={progress} />
      {r.resources && <RunResources resources={r.resources} />}
      <RunLog events={events} runId={r.id} />
    </section>
  );
}

import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import {
  type DriftFinding,
  type DriftReport,
  findingCount,
  useCheckDrift,
  useDrift,
  type WorkloadDriftFinding,
} from '../../lib/drift.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { usePermission } from '../../lib/session-context.ts';

const shown = (v: unknown) =>
  v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
const severityTone = { critical: 'danger', warning: 'attention', info: 'neutral' } as const;
const severityRank = { critical: 0, warning: 1, info: 2 } as const;

/** A finding's expected and actual values, as table cells. */
function ValueCells({ expected, actual }: { expected: unknown; actual: unknown }) {
  return (
    <>
      <td>
        <code>{shown(expected)}</code>
      </td>
      <td>
        <code>{shown(actual)}</code>
      </td>
    </>
  );
}

/** Drifted or in sync, never colour alone: an icon and words. */
export function DriftBadge({ report }: { report: DriftReport | null | undefined }) {
  if (!report) return <span className="badge tone-neutral">• Not checked</span>;
  return report.drifted ? (
    <span className="badge tone-danger" data-drift="drifted">
      <span aria-hidden="true">!</span> Drifted ({findingCount(report)})
    </span>
  ) : (
    <span className="badge tone-success" data-drift="in-sync">
      <span aria-hidden="true">✓</span> In sync
    </span>
  );
}

/**
 * The cluster page's drift section: which cluster this one was cloned from, "Check now", the latest
 * findings and the history of checks (by people and by the schedule after each sync).
 */
export function DriftSection({ clusterId }: { clusterId: string }) {
  const drift = useDrift(clusterId);
  const check = useCheckDrift(clusterId);
  const allowed = usePermission('checkDrift');
  const [params] = useSearchParams();
  const ref = useRef<HTMLElement>(null);
  // A drift.detected notification links here with ?tab=drift.
  useEffect(() => {
    if (params.get('tab') === 'drift' && drift.data) ref.current?.scrollIntoView();
  }, [params, drift.data]);
  if (drift.isPending) return <p role="status">Loading drift…</p>;
  if (drift.error) return <ProblemAlert error={drift.error} />;
  const { source, latest, items } = drift.data;
  return (
    <section aria-labelledby="drift-heading" id="drift" ref={ref}>
      <h2 id="drift-heading">Drift {source && <DriftBadge report={latest} />}</h2>
      {!source ? (
        <p className="muted">Dolly did not clone this cluster, so there is no source to compare it with.</p>
      ) : (
        <>
          <div className="toolbar">
            <p>
              Compared with its source <Link to={`/clusters/${source.id}`}>{source.name}</Link>{' '}
              <span className="muted small">
                ({source.cloud}, {source.location}) as the last inventory sync read both; differences the plan
                chose (machine type names, region) are not drift.
              </span>
            </p>
            <ActionButton permission={allowed} busy={check.isPending} onClick={() => check.mutate()}>
              {check.isPending ? 'Checking…' : 'Check now'}
            </ActionButton>
          </div>
          <ProblemAlert error={check.error} />
          {latest && <Findings report={latest} />}
          {latest?.workloads && <WorkloadFindings report={latest} />}
          {items.length > 0 && <History items={items} />}
        </>
      )}
    </section>
  );
}

function Findings({ report }: { report: DriftReport }) {
  if (report.findings.length === 0)
    return (
      <p role="status">
        No {report.workloads ? 'infrastructure ' : ''}drift at the last check,{' '}
        <time dateTime={report.createdAt} title={formatDateTime(report.createdAt)}>
          {formatRelative(report.createdAt)}
        </time>
        . <span className="muted small">Scheduled checks that find the same are not stored again.</span>
      </p>
    );
  const rows = [...report.findings].sort(
    (a, b) => severityRank[a.severity] - severityRank[b.severity] || a.path.localeCompare(b.path),
  );
  return (
    <div className="table-scroll">
      <table className="data-table" aria-label="Drift findings">
        <caption className="muted small">
          {report.findings.length} finding(s), checked{' '}
          <time dateTime={report.createdAt} title={formatDateTime(report.createdAt)}>
            {formatRelative(report.createdAt)}
          </time>
          {report.basis === 'translation' && ' (no plan found: the source was translated again to compare)'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Field</th>
            <th scope="col">Expected</th>
            <th scope="col">Actual</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f: DriftFinding) => (
            <tr key={f.path} data-finding={f.path}>
              <td>
                <span className={`badge tone-${severityTone[f.severity]}`}>{f.severity}</span>
              </td>
              <td>
                <code>{f.path}</code>
                {f.path.startsWith('source.') && <span className="muted small"> (the source changed)</span>}
              </td>
              <ValueCells expected={f.expected} actual={f.actual} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The namespaces of the last migration into the clone, planned again, object by object. */
function WorkloadFindings({ report }: { report: DriftReport }) {
  const w = report.workloads;
  if (!w) return null;
  const what = (
    <>
      namespaces {w.namespaces.join(', ') || '—'} as the last migration (
      <Link to={`/runs/${w.runId}`}>run {w.runId.slice(0, 8)}…</Link>) would write them now
    </>
  );
  if (w.error)
    return (
      <p role="alert" data-workloads="error">
        Workloads could not be compared with the last migration (
        <Link to={`/runs/${w.runId}`}>run {w.runId.slice(0, 8)}…</Link>): {w.error}
      </p>
    );
  if (w.findings.length === 0)
    return (
      <p role="status" data-workloads="in-sync">
        No workload drift: the clone holds {what}.
      </p>
    );
  return (
    <div className="table-scroll">
      <table className="data-table" aria-label="Workload drift findings">
        <caption className="muted small">
          {w.findings.length} workload finding(s){w.truncated ? ' (the first ones only)' : ''}, against {what}
        </caption>
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">Field</th>
            <th scope="col">Expected</th>
            <th scope="col">Actual</th>
          </tr>
        </thead>
        <tbody>
          {w.findings.map((f: WorkloadDriftFinding) => (
            <tr
              key={`${f.namespace}/${f.kind}/${f.name}/${f.path}`}
              data-workload-finding={`${f.kind}/${f.name}`}
            >
              <td>
                <code>
                  {f.kind} {f.namespace}/{f.name}
                </code>
              </td>
              <td>
                {f.path === 'object' ? (
                  <span>{f.actual === null ? 'missing in the clone' : 'not from the migration'}</span>
                ) : (
                  <code>{f.path}</code>
                )}
              </td>
              <ValueCells expected={f.expected} actual={f.actual} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ items }: { items: DriftReport[] }) {
  return (
    <details>
      <summary>History of checks ({items.length} most recent)</summary>
      <div className="table-scroll">
        <table className="data-table" aria-label="Drift history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Result</th>
              <th scope="col">Checked by</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>
                  <time dateTime={r.createdAt} title={formatDateTime(r.createdAt)}>
                    {formatRelative(r.createdAt)}
                  </time>
                </td>
                <td>
                  <DriftBadge report={r} />
                </td>
                <td>{r.requestedById ? 'a person' : 'the schedule (after a sync)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

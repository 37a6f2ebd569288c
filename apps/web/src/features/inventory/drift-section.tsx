import { type ReactNode, useEffect, useRef } from 'react';
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

type FindingRow = {
  key: string;
  /** `data-*` attribute the row carries, so tests and people find one finding. */
  data: Record<string, string>;
  what: ReactNode;
  field: ReactNode;
  expected: unknown;
  actual: unknown;
};

/** Infrastructure and workload findings share one table: a first column, the field, expected and actual. */
function FindingsTable({
  label,
  caption,
  whatHeader,
  rows,
}: {
  label: string;
  caption: ReactNode;
  whatHeader: string;
  rows: FindingRow[];
}) {
  return (
    <div className="table-scroll">
      <table className="data-table" aria-label={label}>
        <caption className="muted small">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{whatHeader}</th>
            <th scope="col">Field</th>
            <th scope="col">Expected</th>
            <th scope="col">Actual</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} {...r.data}>
              <td>{r.what}</td>
              <td>{r.field}</td>
              <td>
                <code>{shown(r.expected)}</code>
              </td>
              <td>
                <code>{shown(r.actual)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
    <FindingsTable
      label="Drift findings"
      whatHeader="Severity"
      caption={
        <>
          {report.findings.length} finding(s), checked{' '}
          <time dateTime={report.createdAt} title={formatDateTime(report.createdAt)}>
            {formatRelative(report.createdAt)}
          </time>
          {report.basis === 'translation' && ' (no plan found: the source was translated again to compare)'}
        </>
      }
      rows={rows.map((f: DriftFinding) => ({
        key: f.path,
        data: { 'data-finding': f.path },
        what: <span className={`badge tone-${severityTone[f.severity]}`}>{f.severity}</span>,
        field: (
          <>
            <code>{f.path}</code>
            {f.path.startsWith('source.') && <span className="muted small"> (the source changed)</span>}
          </>
        ),
        expected: f.expected,
        actual: f.actual,
      }))}
    />
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
    <FindingsTable
      label="Workload drift findings"
      whatHeader="Object"
      caption={
        <>
          {w.findings.length} workload finding(s){w.truncated ? ' (the first ones only)' : ''}, against {what}
        </>
      }
      rows={w.findings.map((f: WorkloadDriftFinding) => ({
        key: `${f.namespace}/${f.kind}/${f.name}/${f.path}`,
        data: { 'data-workload-finding': `${f.kind}/${f.name}` },
        what: (
          <code>
            {f.kind} {f.namespace}/{f.name}
          </code>
        ),
        field:
          f.path === 'object' ? (
            <span>{f.actual === null ? 'missing in the clone' : 'not from the migration'}</span>
          ) : (
            <code>{f.path}</code>
          ),
        expected: f.expected,
        actual: f.actual,
      }))}
    />
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

import { checkStatus, type MigrationPlan, refText } from './plan-view.ts';

/** Preflight checks, each with an icon and a word as well as a colour. */
export function PreflightChecks({ preflight }: { preflight: MigrationPlan['preflight'] }) {
  return (
    <section aria-labelledby="preflight-heading">
      <h3 id="preflight-heading">
        Preflight checks{' '}
        <span className={`badge tone-${preflight.ok ? 'success' : 'danger'}`}>
          <span aria-hidden="true">{preflight.ok ? '✓' : '✕'}</span> {preflight.ok ? 'OK' : 'Failing'}
        </span>
      </h3>
      <ul className="preflight-checks" aria-label="Preflight checks">
        {preflight.checks.map((c) => {
          const s = checkStatus[c.status];
          return (
            <li key={c.name} data-check={c.name} data-check-status={c.status}>
              <span className={`badge tone-${s.tone}`}>
                <span aria-hidden="true">{s.icon}</span> {s.label}
              </span>{' '}
              <strong>{c.name}</strong>: {c.message}
              {c.refs?.length ? (
                <span className="muted small"> ({c.refs.map(refText).join(', ')})</span>
              ) : null}
            </li>
          );
        })}
        {preflight.checks.length === 0 && <li className="muted">No checks.</li>}
      </ul>
    </section>
  );
}

export function PlanWarnings({ warnings }: { warnings: MigrationPlan['warnings'] }) {
  if (warnings.length === 0) return null;
  return (
    <section aria-labelledby="warnings-heading">
      <h3 id="warnings-heading">Warnings</h3>
      <ul aria-label="Warnings">
        {warnings.map((w, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: warnings have no id
          <li key={`${w.rule}:${i}`} className="note-warning">
            <span aria-hidden="true">⚠ </span>
            {w.ref && <strong>{refText(w.ref)}: </strong>}
            {w.message} <code className="rule">{w.rule}</code>
            {w.action && <div className="small">To do: {w.action}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SkippedObjects({ skipped }: { skipped: MigrationPlan['skipped'] }) {
  if (skipped.length === 0) return null;
  return (
    <section aria-labelledby="skipped-heading">
      <h3 id="skipped-heading">Skipped objects ({skipped.length})</h3>
      <table className="data-table">
        <caption className="visually-hidden">Objects left out, with the reason</caption>
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">Reason</th>
            <th scope="col">Rule</th>
          </tr>
        </thead>
        <tbody>
          {skipped.map((s) => (
            <tr key={`${s.ref.apiVersion}|${refText(s.ref)}|${s.rule}`}>
              <td>{refText(s.ref)}</td>
              <td>{s.reason}</td>
              <td>
                <code className="rule">{s.rule}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function PlanVolumes({ volumes }: { volumes: MigrationPlan['volumes'] }) {
  if (volumes.length === 0) return null;
  return (
    <section aria-labelledby="volumes-heading">
      <h3 id="volumes-heading">Volumes ({volumes.length})</h3>
      <table className="data-table">
        <caption className="visually-hidden">Persistent volume claims and their storage classes</caption>
        <thead>
          <tr>
            <th scope="col">Claim</th>
            <th scope="col">Size</th>
            <th scope="col">Storage class</th>
            <th scope="col">Used by</th>
          </tr>
        </thead>
        <tbody>
          {volumes.map((v) => (
            <tr key={refText(v.target)}>
              <td>
                {refText(v.target)}
                {!v.bound && <span className="muted small"> (not bound)</span>}
              </td>
              <td>{v.size ?? '—'}</td>
              <td>
                {v.storageClass ?? 'default'} → {v.targetStorageClass ?? 'default'}
              </td>
              <td>{v.usedBy.map(refText).join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

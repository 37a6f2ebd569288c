import { CloudBadge } from '../../components/cloud-badge.tsx';
import { formatDateTime } from '../../lib/format.ts';
import type { Run } from '../../lib/runs.ts';

function locatorText(locator: Record<string, unknown>): string {
  return Object.entries(locator)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** Every cloud resource the run created (the rollback ledger) and whether it still exists. */
export function RunResources({ resources }: { resources: NonNullable<Run['resources']> }) {
  if (resources.length === 0) return null;
  return (
    <section aria-labelledby="resources-heading">
      <h2 id="resources-heading">Resources</h2>
      <div className="table-scroll">
        <table className="data-table" aria-label="Resources created by this run">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Cloud</th>
              <th scope="col">Resource</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {resources.map((r) => (
              <tr key={`${r.kind}:${locatorText(r.locator)}:${r.createdAt}`}>
                <td>{r.kind}</td>
                <td>
                  <CloudBadge cloud={r.cloud} />
                </td>
                <td>
                  <code className="small">{locatorText(r.locator)}</code>
                </td>
                <td>{formatDateTime(r.createdAt)}</td>
                <td>
                  {r.deletedAt ? (
                    <span className="tone-neutral">
                      <span aria-hidden="true">⌫ </span>Deleted {formatDateTime(r.deletedAt)}
                    </span>
                  ) : (
                    <span className="tone-success">
                      <span aria-hidden="true">✓ </span>Exists
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

import { Link } from 'react-router';
import { StatusBadge } from '../../components/status-badge.tsx';
import type { Run } from '../../lib/runs.ts';

const stepLabels: Record<string, string> = { clone: 'Clone', migrate: 'Migration' };

/** A clone with workloads: its clone and migrate runs (the latest attempt of each), linked. */
export function RunChildren({ run }: { run: Run }) {
  if (!run.children) return null;
  return (
    <>
      <h2>Child runs</h2>
      {run.children.length === 0 ? (
        <p className="muted">No child run has started yet.</p>
      ) : (
        <table aria-label="Child runs">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {run.children.map((c) => (
              <tr key={c.id} data-step={c.step}>
                <td>{stepLabels[c.step] ?? c.step}</td>
                <td>
                  <Link to={`/runs/${c.id}`}>{c.title}</Link>
                </td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

import { Link } from 'react-router';
import type { Run } from '../../lib/runs.ts';

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * Where the run's outcome lives: the new cluster in the inventory when the result names it, or a
 * search for its name. Clone results name the created cluster (`clusterId`, or the target name).
 */
export function createdClusterLink(
  run: Pick<Run, 'kind' | 'status' | 'result' | 'input'>,
): string | undefined {
  if (run.kind !== 'clone' || (run.status !== 'succeeded' && run.status !== 'partially_succeeded'))
    return undefined;
  const id = str(field(run.result, 'clusterId')) ?? str(field(run.result, 'cluster', 'id'));
  if (id) return `/clusters/${id}`;
  const name =
    str(field(run.result, 'name')) ??
    str(field(run.result, 'cluster', 'name')) ??
    str(field(run.result, 'target', 'name')) ??
    str(field(run.input, 'target', 'name'));
  return name ? `/inventory?q=${encodeURIComponent(name)}` : undefined;
}

export function RunResult({ run }: { run: Run }) {
  const link = createdClusterLink(run);
  if (run.result === undefined && !link) return null;
  return (
    <section aria-labelledby="result-heading">
      <h2 id="result-heading">Result</h2>
      {link && (
        <p>
          <Link to={link}>Open the new cluster in the inventory</Link>
        </p>
      )}
      {run.result !== undefined && (
        <details>
          <summary>Result details</summary>
          <pre className="json">{JSON.stringify(run.result, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}

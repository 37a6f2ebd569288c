import { formatDateTime, formatRelative } from '../../../lib/format.ts';
import { StateLabel } from '../components/state-label.tsx';
import { type ConnectionTest, connectionSummary } from './connection-test.ts';

/** Outcome of the last connection test, in words, with when it ran. */
export function ConnectionStatus({
  test,
  testedAt,
}: {
  test: ConnectionTest | null;
  testedAt: string | null;
}) {
  const summary = connectionSummary(test, testedAt);
  if (!test || !testedAt) return <StateLabel tone="neutral">{summary}</StateLabel>;
  const tone = !test.ok ? 'danger' : test.missing.length ? 'attention' : 'success';
  return (
    <span className="st-stack">
      <StateLabel tone={tone}>{summary}</StateLabel>
      <span className="muted st-small" title={formatDateTime(testedAt)}>
        tested {formatRelative(testedAt)}
      </span>
    </span>
  );
}

/** The answer of a test just run: announced politely so screen readers hear it. */
export function ConnectionTestOutcome({ test, error }: { test: ConnectionTest | undefined; error: unknown }) {
  return (
    <div role="status" aria-live="polite" className="st-test-outcome">
      {test?.ok && (
        <StateLabel tone={test.missing.length ? 'attention' : 'success'}>
          Connection succeeded{test.identity ? ` as ${test.identity}` : ''}
          {test.missing.length ? `; missing permissions: ${test.missing.join(', ')}` : ''}
        </StateLabel>
      )}
      {test && !test.ok && (
        <StateLabel tone="danger">Connection failed{test.message ? `: ${test.message}` : ''}</StateLabel>
      )}
      {error ? (
        <StateLabel tone="danger">
          Could not test: {error instanceof Error ? error.message : String(error)}
        </StateLabel>
      ) : null}
    </div>
  );
}

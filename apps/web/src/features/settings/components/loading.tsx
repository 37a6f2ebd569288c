import { ProblemAlert } from '../../../components/problem-alert.tsx';

/** What a page shows while its first read is pending or after it failed. */
export function QueryState({ isPending, error, what }: { isPending: boolean; error: unknown; what: string }) {
  if (error) return <ProblemAlert error={error} />;
  if (isPending)
    return (
      <p className="muted" role="status">
        Loading {what}…
      </p>
    );
  return null;
}

import { ApiError, problemFieldErrors, problemMessage } from '../lib/api-client.ts';

/** An API error in the server's own words, with the field paths of a 400/422 when there are some. */
export function ProblemAlert({ error, stripPath }: { error: unknown; stripPath?: string }) {
  if (!error) return null;
  const fields = problemFieldErrors(error, stripPath);
  const code = error instanceof ApiError ? error.problem.code : undefined;
  return (
    <div role="alert" className="problem">
      <p>
        <span aria-hidden="true">✕ </span>
        {problemMessage(error)}
        {code && <span className="muted"> ({code})</span>}
      </p>
      {fields.length > 0 && (
        <ul className="field-errors" aria-label="Field errors">
          {fields.map((f) => (
            <li key={`${f.path}:${f.message}`}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

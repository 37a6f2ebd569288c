import { errorMessage, type FieldErrors } from '../problem.ts';

/**
 * The summary above a form after a refused submit: the server's sentence, a pointer to the
 * fields marked below, and any error no field of this form owns (so nothing is swallowed).
 */
export function FormProblem({ error, fields }: { error: unknown; fields: FieldErrors }) {
  if (!error) return null;
  const marked = Object.keys(fields.byPath).length;
  return (
    <div role="alert" className="st-problem">
      <p>
        <span aria-hidden="true">✕ </span>
        {errorMessage(error)}
      </p>
      {marked > 0 && <p>Check the {marked === 1 ? 'field' : `${marked} fields`} marked below.</p>}
      {fields.unclaimed.length > 0 && (
        <ul>
          {fields.unclaimed.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

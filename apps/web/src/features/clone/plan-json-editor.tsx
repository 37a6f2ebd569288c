import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import type { Permission } from '../../lib/abilities.ts';
import { type StoredPlan, updatePlan } from '../../lib/plans.ts';
import { parseJsonWithPosition } from './plan-json.ts';

/**
 * The plan as JSON, editable: syntax is checked as you type; saving sends it to the API, which
 * validates it against the target cloud again and answers 422 with the field paths at fault.
 */
export function PlanJsonEditor({
  plan,
  onSaved,
  permission,
}: {
  plan: StoredPlan;
  onSaved: (plan: StoredPlan) => void;
  permission: Permission;
}) {
  const original = JSON.stringify(plan.document, null, 2);
  const [text, setText] = useState(original);
  const editorId = useId();
  const statusId = useId();
  const parsed = parseJsonWithPosition(text);
  const save = useMutation({
    mutationFn: (document: unknown) => updatePlan(plan.id, document),
    onSuccess: (saved) => {
      setText(JSON.stringify(saved.document, null, 2));
      onSaved(saved);
    },
  });
  const dirty = text !== original;
  return (
    <div className="json-editor">
      <label htmlFor={editorId}>Plan JSON</label>
      <textarea
        id={editorId}
        value={text}
        spellCheck={false}
        rows={24}
        readOnly={!permission.allowed}
        aria-invalid={!parsed.ok || undefined}
        aria-describedby={statusId}
        onChange={(e) => {
          setText(e.target.value);
          save.reset();
        }}
      />
      <p id={statusId} className={parsed.ok ? 'muted small' : 'error small'} role="status">
        {parsed.ok
          ? dirty
            ? 'Valid JSON, not saved yet.'
            : 'Saved.'
          : `Not valid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`}
      </p>
      <div className="toolbar">
        <ActionButton
          permission={permission}
          busy={save.isPending}
          disabled={!parsed.ok || !dirty}
          onClick={() => parsed.ok && save.mutate(parsed.value)}
        >
          {save.isPending ? 'Validating…' : 'Save plan'}
        </ActionButton>
        <button type="button" className="secondary" disabled={!dirty} onClick={() => setText(original)}>
          Discard changes
        </button>
      </div>
      <ProblemAlert error={save.error} stripPath="body.document." />
    </div>
  );
}

import { useId, useState } from 'react';

/**
 * A secret shown exactly once (API tokens, kubeconfigs): readonly, selectable, with a copy button,
 * and a plain warning that it will not be shown again.
 */
export function CopyOnce({ label, value, note }: { label: string; value: string; note?: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-once">
      <label htmlFor={id}>{label}</label>
      <div className="copy-once-row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="muted" role="note">
        {note ?? 'Copy it now: it is shown only once.'}
      </p>
      <span className="visually-hidden" aria-live="polite">
        {copied ? 'Copied to the clipboard' : ''}
      </span>
    </div>
  );
}

import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Dialog } from '../../../components/dialog.tsx';
import { errorMessage } from '../problem.ts';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** what happens, in words */
  children: ReactNode;
  confirmLabel: string;
  /** typed confirmation for destructive actions: the user types this exact text first */
  typeToConfirm?: string;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** A destructive action asks first, and with `typeToConfirm` needs the name typed (as Argo CD does). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, confirmLabel, typeToConfirm, busy, error, onConfirm, onClose } = props;
  const [typed, setTyped] = useState('');
  const inputId = useId();
  const formId = useId();
  const ready = !typeToConfirm || typed === typeToConfirm;
  const close = () => {
    setTyped('');
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready && !busy) onConfirm();
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={close}
      actions={
        <button type="submit" form={formId} className="st-danger-button" disabled={!ready || busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      }
    >
      <form id={formId} onSubmit={submit} className="st-confirm">
        {children}
        {typeToConfirm && (
          <div className="st-field">
            <label htmlFor={inputId}>
              Type <strong>{typeToConfirm}</strong> to confirm
            </label>
            <input
              id={inputId}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        )}
        {error ? (
          <p role="alert" className="st-error">
            <span aria-hidden="true">✕ </span>
            {errorMessage(error)}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}

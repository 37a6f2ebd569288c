import { type ReactNode, useEffect, useId, useRef } from 'react';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** The dialog's buttons; a close button that calls onClose is added first. */
  actions?: ReactNode;
  /** Label of that close button ("Cancel" unless the action itself is a cancel). */
  closeLabel?: string;
}

/**
 * A modal on the native <dialog>: focus is trapped and restored, Escape closes it, and the page
 * behind is inert, without a library.
 */
export function Dialog({ open, title, onClose, children, actions, closeLabel = 'Cancel' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {open && children}
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          {closeLabel}
        </button>
        {actions}
      </div>
    </dialog>
  );
}

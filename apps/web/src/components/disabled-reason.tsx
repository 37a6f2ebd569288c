import { type ButtonHTMLAttributes, type ReactNode, useId } from 'react';
import type { Permission } from '../lib/abilities.ts';

/** The sentence that says why a control is disabled, placed next to it (not only in a tooltip). */
export function DisabledReason({ id, reason }: { id?: string; reason: string }) {
  return (
    <span id={id} className="disabled-reason">
      <span aria-hidden="true">⊘ </span>
      {reason.endsWith('.') ? reason : `${reason}.`}
    </span>
  );
}

interface ActionButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** Role or state check; when refused the button is disabled and the reason is shown beside it. */
  permission: Permission;
  busy?: boolean;
  /** Keep the reason in the tooltip only (dense toolbars); it is still the accessible description. */
  compact?: boolean;
  children: ReactNode;
}

/** A button that is disabled with its reason when the role or the state does not allow the action. */
export function ActionButton({
  permission,
  busy,
  compact,
  children,
  className,
  disabled,
  ...rest
}: ActionButtonProps) {
  const reasonId = useId();
  const refused = !permission.allowed;
  return (
    <span className="action">
      <button
        type="button"
        {...rest}
        className={className}
        disabled={refused || busy || disabled}
        aria-describedby={refused ? reasonId : undefined}
        title={refused ? permission.reason : rest.title}
      >
        {children}
      </button>
      {refused &&
        (compact ? (
          <span id={reasonId} className="visually-hidden">
            {permission.reason}
          </span>
        ) : (
          <DisabledReason id={reasonId} reason={permission.reason} />
        ))}
    </span>
  );
}

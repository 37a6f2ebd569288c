import type { RunStatus } from '@dolly/contracts';
import { statusInfo } from '../lib/runs.ts';

const icons: Record<string, string> = {
  success: '✓',
  danger: '✕',
  attention: '!',
  progress: '◌',
  neutral: '•',
};

/** Status is never colour alone: an icon and a label go with it, the description as a tooltip. */
export function StatusBadge({ status }: { status: RunStatus }) {
  const info = statusInfo(status);
  return (
    <span className={`badge tone-${info.tone}`} title={info.description} data-status={status}>
      <span aria-hidden="true">{icons[info.tone]}</span> {info.label}
    </span>
  );
}

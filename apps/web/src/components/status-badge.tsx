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
      <span aria-hidden="true" className={info.tone === 'progress' ? 'spin' : undefined}>
        {icons[info.tone]}
      </span>{' '}
      {info.label}
    </span>
  );
}

/** For lists: same icon and label, without the data-status hook the run page's tests look for. */
export function StatusTag({ status }: { status: RunStatus }) {
  const info = statusInfo(status);
  return (
    <span className={`badge tone-${info.tone}`} title={info.description} data-run-status={status}>
      <span aria-hidden="true">{icons[info.tone]}</span> {info.label}
    </span>
  );
}

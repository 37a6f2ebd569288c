import type { ReactNode } from 'react';

export type Tone = 'success' | 'danger' | 'attention' | 'neutral' | 'progress';

const icons: Record<Tone, string> = {
  success: '✓',
  danger: '✕',
  attention: '!',
  neutral: '•',
  progress: '◌',
};

/** A state in words with an icon; the colour only repeats what the words say. */
export function StateLabel({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`st-state tone-${tone}`} title={title} data-tone={tone}>
      <span aria-hidden="true">{icons[tone]} </span>
      {children}
    </span>
  );
}

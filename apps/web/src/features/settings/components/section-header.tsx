import type { ReactNode } from 'react';
import { usePageTitle } from '../../../lib/page-title.ts';

/** The heading of one settings page, its actions, and the browser tab title. */
export function SectionHeader({
  title,
  children,
  intro,
  id,
}: {
  title: string;
  children?: ReactNode;
  intro?: ReactNode;
  /** for the aria-labelledby of the page's section */
  id?: string;
}) {
  usePageTitle(`${title} · Settings`);
  return (
    <div className="st-section-head">
      <div className="st-section-title">
        <h2 id={id}>{title}</h2>
        {children && <div className="st-section-actions">{children}</div>}
      </div>
      {intro && <p className="muted">{intro}</p>}
    </div>
  );
}

import type { Schemas } from '@dolly/api-client';

export type MigrationPlan = Schemas['MigrationPlan'];
export type ObjectRef = Schemas['ObjectRef'];
export type PlannedObject = Schemas['PlannedObject'];
export type PreflightCheck = Schemas['PreflightCheck'];

/** `Deployment shop/web` or `StorageClass fast` for cluster-scoped objects. */
export function refText(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** A stable key for a planned object (kind, API version, namespace and name of its target). */
export function objectKey(o: Pick<PlannedObject, 'target'>): string {
  const t = o.target;
  return `${t.apiVersion}|${t.kind}|${t.namespace ?? ''}|${t.name}`;
}

/** A change record's from/to in one short line; absent values show as an em dash. */
export function formatValue(value: unknown, max = 120): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Status never by colour alone: an icon, a word and a tone for each preflight result. */
export const checkStatus = {
  pass: { icon: '✓', label: 'Pass', tone: 'success' },
  warn: { icon: '!', label: 'Warning', tone: 'attention' },
  fail: { icon: '✕', label: 'Fail', tone: 'danger' },
} as const satisfies Record<PreflightCheck['status'], { icon: string; label: string; tone: string }>;

export const actionTone: Record<PlannedObject['action'], string> = {
  create: 'success',
  update: 'attention',
  skip: 'neutral',
  unchanged: 'neutral',
};

/** Objects sorted for reading: by namespace, then kind, then name. */
export function sortedObjects(objects: readonly PlannedObject[]): PlannedObject[] {
  return [...objects].sort(
    (a, b) =>
      (a.target.namespace ?? '').localeCompare(b.target.namespace ?? '') ||
      a.target.kind.localeCompare(b.target.kind) ||
      a.target.name.localeCompare(b.target.name),
  );
}

/** The one-line summary above the review. */
export function planSummaryText(plan: Pick<MigrationPlan, 'summary'>): string {
  const s = plan.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(s.objects, 'object')}: ${s.create} to create, ${s.update} to update, ${s.skip + s.unchanged} left as they are; ${plural(s.skippedByRules, 'object')} skipped by rules, ${plural(s.volumes, 'volume')}, ${plural(s.warnings, 'warning')}.`;
}

/** Why the migration cannot start from this dry run, or undefined. */
export function planBlocker(plan: Pick<MigrationPlan, 'preflight'>): string | undefined {
  if (plan.preflight.ok) return undefined;
  const failing = plan.preflight.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  return `Preflight checks fail (${failing.join(', ') || 'see above'}): fix them and run the dry run again`;
}

import { useState } from 'react';
import { type Column, DataTable } from '../../components/data-table.tsx';
import type { SortState } from '../../lib/table-sort.ts';
import { actionTone, formatValue, objectKey, type PlannedObject, sortedObjects } from './plan-view.ts';

/** The change records of one object (rule, path, from → to), folded until asked for. */
function Changes({ object }: { object: PlannedObject }) {
  if (object.changes.length === 0) return <span className="muted">0</span>;
  return (
    <details className="object-changes">
      <summary>
        {object.changes.length} change{object.changes.length === 1 ? '' : 's'}
      </summary>
      <ul>
        {object.changes.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a rule may touch the same path twice
          <li key={`${c.rule}:${c.path}:${i}`} data-rule={c.rule}>
            <code className="rule">{c.rule}</code> <code>{c.path}</code>:{' '}
            {c.op === 'add' ? '' : formatValue(c.from)}{' '}
            {c.op === 'remove' ? '(removed)' : <>→ {formatValue(c.to)}</>}
            {c.note && <div className="muted small">{c.note}</div>}
          </li>
        ))}
      </ul>
    </details>
  );
}

const columns: Column<PlannedObject>[] = [
  { key: 'kind', header: 'Kind', cell: (o) => o.target.kind, sortValue: (o) => o.target.kind },
  {
    key: 'name',
    header: 'Namespace/name',
    cell: (o) => (
      <code>
        {o.target.namespace ? `${o.target.namespace}/` : ''}
        {o.target.name}
      </code>
    ),
    sortValue: (o) => `${o.target.namespace ?? ''}/${o.target.name}`,
  },
  { key: 'tier', header: 'Tier', cell: (o) => o.tier, sortValue: (o) => o.tier },
  {
    key: 'action',
    header: 'Action',
    cell: (o) => (
      <span className={`badge tone-${actionTone[o.action]}`} title={o.reason}>
        {o.action}
      </span>
    ),
    sortValue: (o) => o.action,
  },
  {
    key: 'changes',
    header: 'Changes',
    cell: (o) => <Changes object={o} />,
    sortValue: (o) => o.changes.length,
    align: 'end',
  },
];

/** Every object the migration would write, with what apply does and the changes on the way. */
export function PlanObjectsTable({ objects }: { objects: readonly PlannedObject[] }) {
  const [sort, setSort] = useState<SortState | undefined>();
  const rows = sort ? objects : sortedObjects(objects);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={objectKey}
      caption="Objects to migrate"
      {...(sort ? { sort } : {})}
      onSortChange={setSort}
      empty="No objects match the namespaces and the selector."
      rowProps={(o) => ({
        'data-object': `${o.target.kind}/${o.target.namespace ?? ''}/${o.target.name}`,
        'data-action': o.action,
      })}
    />
  );
}

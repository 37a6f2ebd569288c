import type { ClonePlanItem } from '@dolly/model';
import { Fragment } from 'react';
import { type PlanNotes, type PlanRow, type PlanRowGroup, planRowGroups } from './plan-rows.ts';

/** Decisions with their reasons, warnings and dropped items, each with an icon and a word. */
function Notes({ notes }: { notes: PlanNotes }) {
  return (
    <>
      {notes.decisions.map((d) => (
        <div key={`d:${d.path}:${d.rule}`} className="decision">
          <span className="reason">{d.reason}</span> <code className="rule">{d.rule}</code>
        </div>
      ))}
      {notes.warnings.map((w) => (
        <div
          key={`w:${w.path}:${w.code}`}
          className={`note-warning ${w.severity === 'error' ? 'severity-error' : ''}`}
        >
          <span aria-hidden="true">⚠ </span>
          <strong>{w.severity === 'error' ? 'Blocks apply' : 'Warning'}:</strong> {w.message}
        </div>
      ))}
      {notes.dropped.map((d) => (
        <div key={`x:${d.path}:${d.code}`} className="note-dropped">
          <span aria-hidden="true">⊘ </span>
          <strong>Dropped:</strong> {d.message}
        </div>
      ))}
    </>
  );
}

const hasNotes = (n: PlanNotes) => n.decisions.length + n.warnings.length + n.dropped.length > 0;

function rowClass(row: PlanRow): string | undefined {
  if (row.dropped.length) return 'row-dropped';
  if (row.warnings.length) return 'row-warning';
  if (row.changed) return 'row-changed';
  return undefined;
}

function GroupRows({ group, onlyChanges }: { group: PlanRowGroup; onlyChanges: boolean }) {
  const rows = onlyChanges ? group.rows.filter((r) => r.changed || hasNotes(r)) : group.rows;
  if (rows.length === 0 && !hasNotes(group.notes) && group.kind !== 'left-out') return null;
  return (
    <>
      <tr className={`group-row group-${group.kind}`}>
        <th scope="colgroup" colSpan={4}>
          {group.title}
          {hasNotes(group.notes) && (
            <div className="group-notes">
              <Notes notes={group.notes} />
            </div>
          )}
        </th>
      </tr>
      {rows.map((row) => (
        <tr
          key={row.path}
          className={rowClass(row)}
          data-path={row.path}
          data-changed={row.changed || undefined}
        >
          <th scope="row">
            {row.field}
            {row.changed && <span className="visually-hidden"> (changed)</span>}
          </th>
          <td>
            <code>{row.source}</code>
          </td>
          <td>
            <span aria-hidden="true">{row.changed ? '→ ' : '= '}</span>
            <code>{row.target}</code>
          </td>
          <td className="why">
            <Notes notes={row} />
          </td>
        </tr>
      ))}
    </>
  );
}

/** The plan item source beside target, one row per field, with why every field is what it is. */
export function PlanDiffTable({ item, onlyChanges }: { item: ClonePlanItem; onlyChanges: boolean }) {
  const groups = planRowGroups(item);
  return (
    <div className="table-scroll">
      <table className="data-table plan-table">
        <caption className="visually-hidden">
          {item.source.name} → {item.target.name}: source and target side by side, with the reason for each
          field
        </caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">
              Source <span className="muted small">({item.source.cloud})</span>
            </th>
            <th scope="col">
              Target <span className="muted small">({item.target.cloud})</span>
            </th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <Fragment key={g.key}>
              <GroupRows group={g} onlyChanges={onlyChanges} />
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

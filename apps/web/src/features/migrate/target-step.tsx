import type { ClonePolicyRule, PolicyDecision, Role } from '@dolly/authz';
import { useMemo, useState } from 'react';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { ClusterLabel } from './cluster-label.tsx';
import {
  decideMigration,
  type MigrateState,
  namespacePairs,
  parseNamespaces,
  targetNameProblem,
  targetNamespaceRows,
} from './migrate-state.ts';

interface Props {
  state: MigrateState;
  onChange: (patch: Partial<MigrateState>) => void;
  inventory: readonly ClusterSummary[];
  source: ClusterSummary | undefined;
  role: Role;
  rules: ClonePolicyRule[];
}

/** Step 2: the target cluster (checked against policy), the target namespace names, existing objects. */
export function TargetStep(props: Props) {
  const { state, onChange } = props;
  return (
    <div className="wizard-step">
      <TargetClusterChoice {...props} />
      <TargetNames state={state} onChange={onChange} />
      <fieldset>
        <legend>Objects that already exist in the target</legend>
        {(
          [
            ['skip', 'Skip them (leave the target as it is)'],
            ['update', 'Update them to match the source'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="radio">
            <input
              type="radio"
              name="existing"
              value={value}
              checked={state.existing === value}
              onChange={() => onChange({ existing: value })}
            />
            {label}
          </label>
        ))}
      </fieldset>
    </div>
  );
}

function TargetClusterChoice({ state, onChange, inventory, source, role, rules }: Props) {
  const [query, setQuery] = useState('');
  const pairs = namespacePairs(state);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return inventory
      .filter((c) => !c.vanishedAt)
      .filter(
        (c) =>
          !q ||
          c.id === state.targetClusterId ||
          `${c.name} ${c.cloud} ${c.accountName} ${c.scope} ${c.location} ${c.environment ?? ''}`
            .toLowerCase()
            .includes(q),
      )
      .sort((a, b) => a.name.localeCompare(b.name) || a.cloud.localeCompare(b.cloud));
  }, [inventory, query, state.targetClusterId]);
  const decide = (target: ClusterSummary): PolicyDecision | undefined =>
    source ? decideMigration(role, rules, source, target, pairs) : undefined;
  return (
    <fieldset>
      <legend>Target cluster</legend>
      {inventory.length > 8 && (
        <label>
          Find a cluster
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
      )}
      <ul className="pick-list migrate-targets">
        {shown.map((c) => {
          const decision = decide(c);
          const reasonId = `target-reason-${c.id}`;
          const refused = decision !== undefined && !decision.allowed;
          const approval = decision?.allowed && decision.requireApproval;
          return (
            <li key={c.id} data-target-cluster={c.id}>
              <label className="radio">
                <input
                  type="radio"
                  name="target-cluster"
                  value={c.id}
                  checked={state.targetClusterId === c.id}
                  disabled={refused}
                  aria-describedby={refused || approval ? reasonId : undefined}
                  onChange={() => onChange({ targetClusterId: c.id })}
                />
                <ClusterLabel cluster={c} />
                {c.id === source?.id && <span className="muted small"> (the source)</span>}
              </label>
              {decision && !decision.allowed && <DisabledReason id={reasonId} reason={decision.reason} />}
              {approval && (
                <span id={reasonId} className="note">
                  <span aria-hidden="true">! </span>
                  Needs approval: {decision.reason}
                </span>
              )}
            </li>
          );
        })}
        {shown.length === 0 && <li className="muted">No cluster matches.</li>}
      </ul>
    </fieldset>
  );
}

function TargetNames({ state, onChange }: Pick<Props, 'state' | 'onChange'>) {
  const namespaces = parseNamespaces(state.namespacesText);
  const rows = targetNamespaceRows(namespaces, state.targetNames);
  const globs = namespaces.filter((n) => !rows.some((r) => r.source === n));
  return (
    <fieldset>
      <legend>Target namespaces</legend>
      <table className="data-table migrate-ns-table">
        <caption className="visually-hidden">Target namespace for each source namespace</caption>
        <thead>
          <tr>
            <th scope="col">Source namespace</th>
            <th scope="col">Target namespace</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const problem = targetNameProblem(row.target);
            const problemId = `ns-problem-${row.source}`;
            return (
              <tr key={row.source} data-namespace={row.source}>
                <td>
                  <code>{row.source}</code>
                </td>
                <td>
                  <input
                    aria-label={`Target namespace for ${row.source}`}
                    value={row.target}
                    spellCheck={false}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? problemId : undefined}
                    onChange={(e) =>
                      onChange({ targetNames: { ...state.targetNames, [row.source]: e.target.value.trim() } })
                    }
                  />
                  {problem && (
                    <span id={problemId} className="error small">
                      {' '}
                      {problem}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
          {globs.map((g) => (
            <tr key={g}>
              <td>
                <code>{g}</code>
              </td>
              <td className="muted">Each matching namespace keeps its name</td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

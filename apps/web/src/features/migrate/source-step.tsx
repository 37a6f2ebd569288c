import type { Role } from '@dolly/authz';
import { useId } from 'react';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import { SelectField } from '../../components/select-field.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { clusterOptionText } from './cluster-label.tsx';
import { type MigrateState, parseNamespaces, secretsPermission } from './migrate-state.ts';

interface Props {
  state: MigrateState;
  onChange: (patch: Partial<MigrateState>) => void;
  inventory: readonly ClusterSummary[];
  role: Role;
}

/** Step 1: the source cluster, the namespaces (names or globs), a label selector and Secrets. */
export function SourceStep({ state, onChange, inventory, role }: Props) {
  const secretsId = useId();
  const secrets = secretsPermission(role);
  const live = inventory.filter((c) => !c.vanishedAt || c.id === state.sourceClusterId);
  const namespaces = parseNamespaces(state.namespacesText);
  return (
    <div className="wizard-step">
      <SelectField
        label="Source cluster"
        value={state.sourceClusterId}
        onChange={(e) => onChange({ sourceClusterId: e.target.value })}
      >
        <option value="">Choose…</option>
        {live.map((c) => (
          <option key={c.id} value={c.id}>
            {clusterOptionText(c)}
          </option>
        ))}
      </SelectField>
      <label>
        Namespaces <span className="muted small">(names or globs such as team-*, comma-separated)</span>
        <input
          value={state.namespacesText}
          placeholder="shop, team-*"
          spellCheck={false}
          onChange={(e) => onChange({ namespacesText: e.target.value })}
        />
      </label>
      <p className="muted small" role="status">
        {namespaces.length ? `Namespaces: ${namespaces.join(', ')}` : 'No namespace entered.'}
      </p>
      <label>
        Label selector <span className="muted small">(optional; applied to namespaced objects)</span>
        <input
          value={state.labelSelector}
          placeholder="app!=legacy"
          spellCheck={false}
          onChange={(e) => onChange({ labelSelector: e.target.value })}
        />
      </label>
      <div className="migrate-option">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={state.includeSecrets && secrets.allowed}
            disabled={!secrets.allowed}
            aria-describedby={secrets.allowed ? undefined : secretsId}
            onChange={(e) => onChange({ includeSecrets: e.target.checked })}
          />
          Include Secrets
        </label>
        {!secrets.allowed && <DisabledReason id={secretsId} reason={secrets.reason} />}
      </div>
    </div>
  );
}

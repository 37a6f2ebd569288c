import type { Role } from '@dolly/authz';
import { SelectField } from '../../components/select-field.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { clusterOptionText } from './cluster-label.tsx';
import type { MigrateState } from './migrate-state.ts';
import { NamespaceFields } from './namespace-fields.tsx';

interface Props {
  state: MigrateState;
  onChange: (patch: Partial<MigrateState>) => void;
  inventory: readonly ClusterSummary[];
  role: Role;
}

/** Step 1: the source cluster, the namespaces (names or globs), a label selector and Secrets. */
export function SourceStep({ state, onChange, inventory, role }: Props) {
  const live = inventory.filter((c) => !c.vanishedAt || c.id === state.sourceClusterId);
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
      <NamespaceFields
        namespacesText={state.namespacesText}
        includeSecrets={state.includeSecrets}
        onChange={onChange}
        role={role}
      />
      <label>
        Label selector <span className="muted small">(optional; applied to namespaced objects)</span>
        <input
          value={state.labelSelector}
          placeholder="app!=legacy"
          spellCheck={false}
          onChange={(e) => onChange({ labelSelector: e.target.value })}
        />
      </label>
    </div>
  );
}

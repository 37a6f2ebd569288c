import type { NodePoolSpec } from '@dolly/model';
import { type ClusterSummary, useCluster } from '../../lib/clusters.ts';
import {
  type CarryOptions,
  type CloneOptions,
  expectedTargetName,
  type PoolOverride,
} from './wizard-state.ts';

interface Props {
  options: CloneOptions;
  onChange: (options: CloneOptions) => void;
  sources: readonly ClusterSummary[];
}

const carryLabels: Record<keyof CarryOptions, string> = {
  labels: 'Cluster labels and tags',
  nodeLabels: 'Node labels',
  taints: 'Taints',
  autoscaling: 'Autoscaling (min/max nodes)',
  spot: 'Spot capacity',
};

/** Step 3: names, Kubernetes version, what to carry, and per-pool overrides for a single source. */
export function OptionsStep({ options, onChange, sources }: Props) {
  const single = sources.length === 1 ? sources[0] : undefined;
  return (
    <div className="wizard-step">
      <fieldset>
        <legend>Names</legend>
        <div className="field-row">
          <label>
            Name prefix
            <input
              value={options.namePrefix}
              maxLength={20}
              onChange={(e) => onChange({ ...options, namePrefix: e.target.value })}
            />
          </label>
          <label>
            Name suffix
            <input
              value={options.nameSuffix}
              maxLength={20}
              onChange={(e) => onChange({ ...options, nameSuffix: e.target.value })}
            />
          </label>
        </div>
        <p className="muted small">
          New names: {sources.map((s) => expectedTargetName(s.name, options)).join(', ') || '—'} (made legal
          for the target cloud if needed; the plan says so).
        </p>
      </fieldset>
      <label>
        Kubernetes version{' '}
        <span className="muted small">(empty: the plan picks the nearest supported one)</span>
        <input
          value={options.kubernetesVersion}
          placeholder="e.g. 1.33"
          onChange={(e) => onChange({ ...options, kubernetesVersion: e.target.value.trim() })}
        />
      </label>
      <fieldset>
        <legend>What to carry</legend>
        {(Object.keys(carryLabels) as (keyof CarryOptions)[]).map((key) => (
          <label key={key} className="checkbox">
            <input
              type="checkbox"
              checked={options.carry[key]}
              onChange={(e) => onChange({ ...options, carry: { ...options.carry, [key]: e.target.checked } })}
            />
            {carryLabels[key]}
          </label>
        ))}
      </fieldset>
      {single ? (
        <PoolOverrides clusterId={single.id} options={options} onChange={onChange} />
      ) : (
        <p className="muted">
          Node pool overrides are available when cloning one cluster; edit the plan JSON for more.
        </p>
      )}
    </div>
  );
}

function PoolOverrides({
  clusterId,
  options,
  onChange,
}: {
  clusterId: string;
  options: CloneOptions;
  onChange: (options: CloneOptions) => void;
}) {
  const cluster = useCluster(clusterId);
  if (!cluster.data) return <p className="muted">Loading node pools…</p>;
  const set = (name: string, patch: Partial<PoolOverride>) => {
    const current = options.pools[name] ?? { include: true };
    onChange({ ...options, pools: { ...options.pools, [name]: { ...current, ...patch } } });
  };
  return (
    <fieldset>
      <legend>Node pools</legend>
      <p className="muted small">
        Leave a field empty to keep what the plan chooses. Machine types are the target cloud's names.
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Clone</th>
            <th scope="col">Source pool</th>
            <th scope="col">Machine type</th>
            <th scope="col">Nodes</th>
            <th scope="col">Spot</th>
          </tr>
        </thead>
        <tbody>
          {cluster.data.nodePools.map((p) => {
            const spec = (p.spec ?? {}) as Partial<NodePoolSpec>;
            const o = options.pools[p.name] ?? { include: true };
            return (
              <tr key={p.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Clone node pool ${p.name}`}
                    checked={o.include}
                    onChange={(e) => set(p.name, { include: e.target.checked })}
                  />
                </td>
                <td>
                  {p.name}
                  <br />
                  <span className="muted small">
                    {p.machineType} × {p.nodeCount}
                  </span>
                </td>
                <td>
                  <input
                    aria-label={`Machine type for ${p.name}`}
                    value={o.machineType ?? ''}
                    placeholder="as planned"
                    disabled={!o.include}
                    onChange={(e) => set(p.name, { machineType: e.target.value.trim() || undefined })}
                  />
                </td>
                <td>
                  <input
                    type="number"
                    min={0}
                    aria-label={`Node count for ${p.name}`}
                    value={o.nodeCount ?? ''}
                    placeholder={String(p.nodeCount)}
                    disabled={!o.include}
                    onChange={(e) =>
                      set(p.name, { nodeCount: e.target.value === '' ? undefined : Number(e.target.value) })
                    }
                  />
                </td>
                <td>
                  <select
                    aria-label={`Spot for ${p.name}`}
                    value={o.spot === undefined ? '' : String(o.spot)}
                    disabled={!o.include}
                    onChange={(e) =>
                      set(p.name, { spot: e.target.value === '' ? undefined : e.target.value === 'true' })
                    }
                  >
                    <option value="">as source ({spec.spot ? 'spot' : 'on-demand'})</option>
                    <option value="true">spot</option>
                    <option value="false">on-demand</option>
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </fieldset>
  );
}

import { useMemo, useState } from 'react';
import { CloudBadge, EnvBadge } from '../../components/cloud-badge.tsx';
import type { CloudAccount, ClusterSummary } from '../../lib/clusters.ts';
import { parseLabelPair } from '../inventory/inventory-filters.ts';
import { SelectField } from '../../components/select-field.tsx';
import type { SourceSelection } from './wizard-state.ts';

interface Props {
  source: SourceSelection;
  onChange: (source: SourceSelection) => void;
  inventory: readonly ClusterSummary[];
  accounts: readonly CloudAccount[];
  selected: readonly ClusterSummary[];
}

/** Step 1: the clusters to clone, one by one or every cluster of an account matching a filter. */
export function SourceStep({ source, onChange, inventory, accounts, selected }: Props) {
  return (
    <div className="wizard-step">
      <fieldset>
        <legend>What to clone</legend>
        <label className="radio">
          <input
            type="radio"
            name="source-mode"
            checked={source.mode === 'clusters'}
            onChange={() => onChange({ ...source, mode: 'clusters' })}
          />
          Clusters I choose
        </label>
        <label className="radio">
          <input
            type="radio"
            name="source-mode"
            checked={source.mode === 'filter'}
            onChange={() => onChange({ ...source, mode: 'filter' })}
          />
          Every cluster of an account, by location and labels
        </label>
      </fieldset>
      {source.mode === 'clusters' ? (
        <ClusterPicker source={source} onChange={onChange} inventory={inventory} />
      ) : (
        <SourceFilter source={source} onChange={onChange} inventory={inventory} accounts={accounts} />
      )}
      <p role="status" className="selection-summary">
        {selected.length === 0
          ? 'No source cluster selected.'
          : `${selected.length} source cluster${selected.length === 1 ? '' : 's'}: ${selected.map((c) => c.name).join(', ')}`}
      </p>
    </div>
  );
}

function ClusterPicker({ source, onChange, inventory }: Pick<Props, 'source' | 'onChange' | 'inventory'>) {
  const [query, setQuery] = useState('');
  const chosen = new Set(source.clusterIds);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    const live = inventory.filter((c) => !c.vanishedAt);
    const matching = q
      ? live.filter((c) =>
          `${c.name} ${c.accountName} ${c.scope} ${c.location} ${c.environment ?? ''}`
            .toLowerCase()
            .includes(q),
        )
      : live;
    // Chosen clusters first, so a pre-filled source is visible at once.
    return [...matching].sort(
      (a, b) => Number(chosen.has(b.id)) - Number(chosen.has(a.id)) || a.name.localeCompare(b.name),
    );
  }, [inventory, query, chosen]);
  const toggle = (id: string, on: boolean) =>
    onChange({
      ...source,
      clusterIds: on ? [...source.clusterIds, id] : source.clusterIds.filter((x) => x !== id),
    });
  return (
    <fieldset>
      <legend>Source clusters</legend>
      <label>
        Find a cluster
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      </label>
      <ul className="pick-list">
        {shown.map((c) => (
          <li key={c.id}>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={chosen.has(c.id)}
                onChange={(e) => toggle(c.id, e.target.checked)}
              />
              <strong>{c.name}</strong> <CloudBadge cloud={c.cloud} />{' '}
              <span className="muted small">
                {c.scope} · {c.location}
              </span>{' '}
              <EnvBadge env={c.environment} />
            </label>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No cluster matches.</li>}
      </ul>
    </fieldset>
  );
}

function SourceFilter({ source, onChange, inventory, accounts }: Omit<Props, 'selected'>) {
  const locations = [
    ...new Set(inventory.filter((c) => c.accountId === source.accountId).map((c) => c.location)),
  ].sort();
  const [labelsText, setLabelsText] = useState(source.labels.map(([k, v]) => `${k}=${v}`).join(', '));
  return (
    <fieldset>
      <legend>Source filter</legend>
      <SelectField
        label={'Source account'}
        value={source.accountId ?? ''}
        onChange={(e) => onChange({ ...source, accountId: e.target.value || undefined, location: undefined })}
      >
        <option value="">Choose…</option>
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label={'Location'}
        value={source.location ?? ''}
        onChange={(e) => onChange({ ...source, location: e.target.value || undefined })}
      >
        <option value="">Any</option>
        {locations.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </SelectField>
      <label>
        Labels (all must match)
        <input
          value={labelsText}
          placeholder="env=prod, team=shop"
          onChange={(e) => {
            setLabelsText(e.target.value);
            const labels = e.target.value
              .split(',')
              .map((p) => parseLabelPair(p.trim()))
              .filter((p): p is [string, string] => p !== undefined);
            onChange({ ...source, labels });
          }}
        />
      </label>
    </fieldset>
  );
}

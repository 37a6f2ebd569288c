import { type FormEvent, useState } from 'react';
import type { CloudAccount, ClusterSummary } from '../../lib/clusters.ts';
import { SelectField } from '../../components/select-field.tsx';
import {
  clouds,
  distinct,
  hasActiveFilters,
  type InventoryFilters,
  parseLabelPair,
} from './inventory-filters.ts';

interface Props {
  filters: InventoryFilters;
  update: (patch: Partial<InventoryFilters>) => void;
  clusters: readonly ClusterSummary[];
  accounts: readonly CloudAccount[];
}

const cloudNames = {
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'Google Cloud',
  kubernetes: 'Kubernetes (imported)',
} as const;

/** Search, cloud, account, location, environment and label filters; every change goes to the URL. */
export function InventoryFilterBar({ filters, update, clusters, accounts }: Props) {
  return (
    <search className="filters" aria-label="Filter clusters">
      <label>
        Search
        <input
          type="search"
          placeholder="name, account, location, label…"
          value={filters.q}
          onChange={(e) => update({ q: e.target.value })}
        />
      </label>
      <Select
        label="Cloud"
        value={filters.cloud}
        options={clouds.map((c) => [c, cloudNames[c]])}
        onChange={(v) => update({ cloud: v as InventoryFilters['cloud'] })}
      />
      <Select
        label="Account"
        value={filters.accountId}
        options={accounts.map((a) => [a.id, a.name])}
        onChange={(v) => update({ accountId: v })}
      />
      <Select
        label="Location"
        value={filters.location}
        options={distinct(clusters, (c) => c.location).map((l) => [l, l])}
        onChange={(v) => update({ location: v })}
      />
      <Select
        label="Environment"
        value={filters.env}
        options={distinct(clusters, (c) => c.environment).map((e) => [e, e])}
        onChange={(v) => update({ env: v })}
      />
      <LabelFilter labels={filters.labels} onChange={(labels) => update({ labels })} />
      {hasActiveFilters(filters) && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            update({
              q: '',
              cloud: undefined,
              accountId: undefined,
              location: undefined,
              env: undefined,
              labels: [],
            })
          }
        >
          Clear filters
        </button>
      )}
    </search>
  );
}

function Select({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: [string, string][];
  onChange: (value: string | undefined) => void;
}) {
  return (
    <SelectField label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
      <option value="">All</option>
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </SelectField>
  );
}

/** Label filters as removable chips; type k=v and press Enter to add one. */
function LabelFilter({
  labels,
  onChange,
}: {
  labels: [string, string][];
  onChange: (labels: [string, string][]) => void;
}) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string>();
  function add(event: FormEvent) {
    event.preventDefault();
    const pair = parseLabelPair(draft);
    if (!pair) {
      setError('Write a label as key=value');
      return;
    }
    setError(undefined);
    setDraft('');
    onChange([...labels.filter(([k]) => k !== pair[0]), pair]);
  }
  return (
    <div className="label-filter">
      <label>
        Label
        <input
          value={draft}
          placeholder="team=shop"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') add(e);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'label-filter-error' : undefined}
        />
      </label>
      {error && (
        <span id="label-filter-error" className="error">
          {error}
        </span>
      )}
      {labels.length > 0 && (
        <ul className="chips" aria-label="Label filters">
          {labels.map(([k, v]) => (
            <li key={k}>
              <code>
                {k}={v}
              </code>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove label filter ${k}=${v}`}
                onClick={() => onChange(labels.filter(([key]) => key !== k))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

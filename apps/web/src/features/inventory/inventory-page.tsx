import { useMemo, useState } from 'react';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { Segmented } from '../../components/segmented.tsx';
import { useAccounts, useInventory } from '../../lib/clusters.ts';
import { usePageTitle } from '../../lib/page-title.ts';
import { ClusterTable } from './cluster-table.tsx';
import { ImportClusterButton, ImportClusterForm } from './import-cluster.tsx';
import { InventoryFilterBar } from './inventory-filter-bar.tsx';
import { filterClusters, type InventoryView } from './inventory-filters.ts';
import { RegionView } from './region-view.tsx';
import { SyncButton } from './sync-button.tsx';
import { useInventoryFilters } from './use-inventory-filters.ts';

export function InventoryPage() {
  usePageTitle('Inventory');
  const inventory = useInventory();
  const accounts = useAccounts();
  const { filters, update } = useInventoryFilters();
  const all = inventory.data ?? [];
  const shown = useMemo(() => filterClusters(all, filters), [all, filters]);
  const cloudCount = new Set(all.map((c) => c.cloud)).size;
  const [importing, setImporting] = useState(false);
  return (
    <section aria-labelledby="inventory-heading">
      <div className="page-head">
        <div>
          <h1 id="inventory-heading">Inventory</h1>
          <p className="muted" role="status">
            {inventory.isPending
              ? 'Loading clusters…'
              : `${shown.length} of ${all.length} clusters across ${cloudCount} ${cloudCount === 1 ? 'cloud' : 'clouds'}`}
          </p>
        </div>
        <div className="toolbar">
          <SyncButton />
          <ImportClusterButton onClick={() => setImporting((open) => !open)} />
        </div>
      </div>
      {importing && <ImportClusterForm onClose={() => setImporting(false)} />}
      <InventoryFilterBar filters={filters} update={update} clusters={all} accounts={accounts.data ?? []} />
      <ViewSwitch view={filters.view} onChange={(view) => update({ view })} />
      <ProblemAlert error={inventory.error} />
      {!inventory.isPending && all.length === 0 && !inventory.error && (
        <p className="card">
          The inventory is empty. Connect a cloud account in Settings, then sync the inventory.
        </p>
      )}
      {filters.view === 'table' ? (
        <ClusterTable clusters={shown} sort={filters.sort} onSortChange={(sort) => update({ sort })} />
      ) : (
        <RegionView clusters={shown} />
      )}
    </section>
  );
}

function ViewSwitch({ view, onChange }: { view: InventoryView; onChange: (view: InventoryView) => void }) {
  return (
    <Segmented
      label="View"
      value={view}
      options={[
        { value: 'table', label: 'Table' },
        { value: 'regions', label: 'By region' },
      ]}
      onChange={onChange}
    />
  );
}

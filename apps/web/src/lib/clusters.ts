import { useQuery } from '@tanstack/react-query';
import { dolly, type Schemas, unwrap } from './api-client.ts';

export type ClusterSummary = Schemas['ClusterSummary'];
export type ClusterDetail = Schemas['Cluster'];
export type CloudAccount = Schemas['CloudAccount'];
export type CloudId = ClusterSummary['cloud'];

const PAGE = 1000;

/** The whole inventory, every page: filtering and sorting happen in the browser, instantly. */
export async function fetchInventory(): Promise<ClusterSummary[]> {
  const all: ClusterSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      dolly.GET('/api/v1/clusters', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    );
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export const inventoryQueryKey = ['clusters'] as const;

export function useInventory() {
  return useQuery({ queryKey: inventoryQueryKey, queryFn: fetchInventory, staleTime: 15_000 });
}

/** Imported clusters (cloud `kubernetes`) can be migrated, not cloned: never a clone's source. */
const notImported = <T extends { cloud: string }>(items: T[]) =>
  items.filter((c) => c.cloud !== 'kubernetes');

export function useCloneableInventory() {
  return useQuery({
    queryKey: inventoryQueryKey,
    queryFn: fetchInventory,
    staleTime: 15_000,
    select: notImported,
  });
}

export function useCluster(id: string) {
  return useQuery({
    queryKey: ['cluster', id],
    queryFn: () => unwrap(dolly.GET('/api/v1/clusters/{id}', { params: { path: { id } } })),
  });
}

export function useAccounts() {
  return useQuery({
    queryKey: ['accounts'],
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/accounts'))).items,
    staleTime: 60_000,
  });
}

/** Cloud accounts a clone can target: not the accounts of imported clusters. */
export function useCloneableAccounts() {
  return useQuery({
    queryKey: ['accounts'],
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/accounts'))).items,
    staleTime: 60_000,
    select: notImported,
  });
}

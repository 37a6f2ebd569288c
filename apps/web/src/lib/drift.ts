import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { dolly, type Schemas, unwrap } from './api-client.ts';

export type DriftReport = Schemas['DriftReport'];
export type DriftHistory = Schemas['DriftHistory'];
export type DriftFinding = Schemas['DriftFinding'];
export type WorkloadDriftFinding = Schemas['WorkloadDriftFinding'];

/** Infra and workload findings together: what the badge counts. */
export const findingCount = (r: DriftReport) => r.findings.length + (r.workloads?.findings.length ?? 0);

export const driftQueryKey = (clusterId: string) => ['cluster', clusterId, 'drift'] as const;

/** The latest report and the newest page of history; older pages on demand. */
export function useDrift(clusterId: string, limit = 10) {
  return useQuery({
    queryKey: [...driftQueryKey(clusterId), limit],
    queryFn: () =>
      unwrap(
        dolly.GET('/api/v1/clusters/{id}/drift', { params: { path: { id: clusterId }, query: { limit } } }),
      ),
  });
}

export function useCheckDrift(clusterId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(dolly.POST('/api/v1/clusters/{id}/drift', { params: { path: { id: clusterId } } })),
    // The whole cluster: its pools on the page are the inventory the check just compared.
    onSuccess: () => client.invalidateQueries({ queryKey: ['cluster', clusterId] }),
  });
}

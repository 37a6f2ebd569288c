import type { paths, Schemas } from '@dolly/api-client';

export type SessionInfo = Schemas['SessionInfo'];
export type ClusterSummary = Schemas['ClusterSummary'];
export type ClusterDetail = Schemas['Cluster'];
export type ImportedCluster = Schemas['ImportedCluster'];
export type CloudAccount = Schemas['CloudAccount'];
export type ApiToken = Schemas['ApiToken'];
export type StoredPlan = Schemas['StoredPlan'];
export type RunEvent = Schemas['RunEvent'];
export type RunStep = Schemas['RunStep'];
export type RunStatus = Schemas['Run']['status'];

export type Run = Schemas['Run'];
export type DriftReport = Schemas['DriftReport'];
export type DriftHistory = Schemas['DriftHistory'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Cloud = ClusterSummary['cloud'];

export interface ClusterQuery {
  cloud?: Cloud;
  accountId?: string;
  location?: string;
  env?: string;
  label?: string[];
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface CreatePlanBody {
  source: {
    clusterIds?: string[];
    accountId?: string;
    location?: string;
    labelFilter?: Record<string, string>;
  };
  target: {
    accountId: string;
    location?: string;
    scope?: string;
    environment?: string;
    namePrefix?: string;
    nameSuffix?: string;
    kubernetesVersion?: string;
  };
}

export interface RunQuery {
  kind?: Run['kind'];
  status?: string;
  planId?: string;
  cursor?: string;
  limit?: number;
}

export type RunAction = 'cancel' | 'retry' | 'rollback' | 'approve' | 'reject';

/** A clone with workloads: what is migrated into the new cluster once it exists. */
export type EnvironmentWorkloads = NonNullable<
  NonNullable<
    paths['/api/v1/plans/{id}/apply']['post']['requestBody']
  >['content']['application/json']['workloads']
>;

export interface ApplyPlanBody {
  items?: number[];
  confirm?: string;
  workloads?: EnvironmentWorkloads;
}

export interface MigrationBody {
  sourceClusterId: string;
  targetClusterId: string;
  namespaces: string[];
  namespaceMap?: Record<string, string>;
  dryRun: boolean;
  [k: string]: unknown;
}

export type AccountCheck = {
  ok: boolean;
  identity?: string;
  scopes: string[];
  missing: string[];
  message?: string;
  testedAt: string;
};

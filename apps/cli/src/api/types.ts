import type { QueryParams, RequestBody, ResponseBody, Schemas } from '@dolly/api-client';

// Every body and query the CLI sends or reads is the generated spec's (packages/api-client): a
// route change shows up here as a type error, not as a field the CLI silently stops sending.

export type SessionInfo = Schemas['SessionInfo'];
export type LoginBody = RequestBody<'/api/v1/auth/login', 'post'>;
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

export type Cloud = ClusterSummary['cloud'];

export type ClusterQuery = QueryParams<'/api/v1/clusters', 'get'>;
export type ClusterPage = ResponseBody<'/api/v1/clusters', 'get'>;
export type ImportClusterBody = RequestBody<'/api/v1/clusters/import', 'post'>;
export type AccountCheck = ResponseBody<'/api/v1/accounts/{id}/test', 'post'>;
export type CreateTokenBody = RequestBody<'/api/v1/tokens', 'post'>;
export type CreatedToken = ResponseBody<'/api/v1/tokens', 'post', 201>;

export type CreatePlanBody = RequestBody<'/api/v1/plans', 'post'>;
export type PutPlanBody = RequestBody<'/api/v1/plans/{id}', 'put'>;
export type ApplyPlanBody = RequestBody<'/api/v1/plans/{id}/apply', 'post'>;
/** A clone with workloads: what is migrated into the new cluster once it exists. */
export type EnvironmentWorkloads = NonNullable<ApplyPlanBody['workloads']>;
export type SyncInventoryBody = RequestBody<'/api/v1/inventory/sync', 'post'>;

export type RunQuery = QueryParams<'/api/v1/runs', 'get'>;
export type RunPage = ResponseBody<'/api/v1/runs', 'get'>;
/** The run actions the CLI offers (one route each). */
export type RunAction = 'cancel' | 'retry' | 'rollback' | 'approve' | 'reject';

export type MigrationBody = RequestBody<'/api/v1/migrations', 'post'>;
export type MigrationDryRun = ResponseBody<'/api/v1/migrations', 'post', 200>;

export type SsoSettings = ResponseBody<'/api/v1/sso', 'get'>;
export type SsoConfigBody = RequestBody<'/api/v1/sso', 'put'>;

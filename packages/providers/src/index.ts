/** @dolly/providers: the only code that talks to clouds (EKS, AKS, GKE) through their official SDKs. */
import { type EgressPolicy, egressPolicyFromEnv } from '@dolly/contracts/egress';
import { createAwsProvider } from './aws/provider';
import { createAzureProvider } from './azure/provider';
import { CloudError } from './errors';
import { createGcpProvider } from './gcp/provider';
import { createKubernetesProvider } from './kubernetes/provider';
import type { CloudAccountConfig, CloudProvider } from './types';

export { eksToSpec, nodegroupToPool } from './aws/map';
export { EKS_TOKEN_PREFIX, eksToken } from './aws/token';
export { AKS_AAD_SERVER_APP_ID } from './azure/kubeconfig';
export { aksPoolToSpec, aksToSpec } from './azure/map';
export { gkePoolToSpec, gkeToSpec } from './gcp/map';
export { kubeconfigDocument, plainKubeconfig } from './kubeconfig';
export { CloudError, type CloudErrorClass, classifyCloudError, parseRetryAfter } from './errors';
export type {
  CloudAccountConfig,
  CloudId,
  CloudProvider,
  CloudResourceRef,
  ClusterRef,
  ConnectionTestResult,
  CredentialKind,
  DiscoveredCluster,
  ImportedClusterSpec,
  NodePoolRef,
  OperationContext,
  PlanContext,
  PreflightCheck,
  ProgressUpdate,
  ProviderCloud,
  ResourceGroupDeletion,
  ResourceGroupRef,
  ResourceOrigin,
  RoleRef,
} from './types';
export {
  type ImportedCredential,
  type ImportedCredentialInput,
  importedCredentialFrom,
  importedKubeconfig,
} from './kubernetes/credential';
export { IMPORTED_LOCATION } from './kubernetes/provider';
export { PLAN_LABEL } from './types';

/**
 * The provider for an account's cloud. Cheap: clients are made lazily on first use. Every
 * connection its SDK clients open is egress-checked with `egress` (by default this process's
 * DOLLY_ENDPOINT_ALLOWLIST, so a caller that forgets it fails closed).
 */
export function createProvider(
  account: CloudAccountConfig,
  opts: { egress?: EgressPolicy } = {},
): CloudProvider {
  const egress = opts.egress ?? egressPolicyFromEnv();
  switch (account.cloud) {
    case 'aws':
      return createAwsProvider(account, egress);
    case 'azure':
      return createAzureProvider(account, egress);
    case 'gcp':
      return createGcpProvider(account, egress);
    case 'kubernetes':
      return createKubernetesProvider(account, egress);
    default:
      throw new CloudError({
        cloud: account.cloud,
        operation: 'createProvider',
        class: 'rejected',
        message: `no provider for cloud ${String(account.cloud)} yet`,
      });
  }
}
export { type StoredCloudAccount, accountConfigFromStored, scopesOf } from './account-config';
export { checkTenantEndpoint, isInternalAddress, parseEndpointAllowlist } from './endpoint-policy';

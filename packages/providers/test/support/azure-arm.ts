import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import type { SandboxAccountInfo } from './sandbox';

/** ARM (resources) of a sandbox subscription, as `az` or the operator's own tooling would use it. */
export function armOf(a: SandboxAccountInfo): ResourceManagementClient {
  const c = a.credentials as Record<string, string>;
  const tlsOptions = { ca: a.caCertPem };
  const credential = new ClientSecretCredential(c.tenantId ?? '', c.clientId ?? '', c.clientSecret ?? '', {
    authorityHost: c.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions,
  });
  return new ResourceManagementClient(credential, a.id, {
    endpoint: a.endpoints.arm,
    $host: a.endpoints.arm,
    credentialScopes: ['https://management.azure.com/.default'],
    tlsOptions,
  });
}

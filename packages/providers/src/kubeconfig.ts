import { KubeConfig, type User } from '@kubernetes/client-node';
import { CloudError } from './errors';
import type { CloudId } from './types';

/** The current cluster and user of a kubeconfig a cloud handed out, the cluster already checked. */
export interface CloudKubeconfig {
  cluster: { name: string; server: string; caData?: string };
  user: User;
  /** the error to throw for anything else Dolly does not accept in it */
  refuse(why: string): CloudError;
}

/**
 * Reads a kubeconfig a cloud (or something posing as one at a tenant-set endpoint) hands out and
 * checks its current cluster: an https server, no skipped TLS verification, no CA file on Dolly's
 * host. The user is returned as is, for the caller to take only what it trusts.
 */
export function readCloudKubeconfig(text: string, cloud: CloudId, operation: string): CloudKubeconfig {
  const refuse = (why: string) =>
    new CloudError({
      cloud,
      operation,
      class: 'rejected',
      message: `refused the cluster credentials: ${why}`,
    });
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch {
    throw refuse('not a kubeconfig');
  }
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user) throw refuse('no current context');
  if (cluster.skipTLSVerify) throw refuse('it turns off TLS verification');
  if (cluster.caFile) throw refuse('it points at files on this host');
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw refuse('the server is not a URL');
  }
  if (server.protocol !== 'https:') throw refuse('the server is not https');
  return {
    cluster: {
      name: cluster.name,
      server: cluster.server,
      ...(cluster.caData ? { caData: cluster.caData } : {}),
    },
    user,
    refuse,
  };
}

/**
 * A kubeconfig reduced to what Dolly trusts: the server, the CA data and a bearer token or client
 * certificate. An `exec` plugin or `auth-provider` (a command run on Dolly's host), skipped TLS
 * verification or files on Dolly's host are never loaded.
 */
export function plainKubeconfig(text: string, cloud: CloudId, operation: string): string {
  return plainFromCloudKubeconfig(readCloudKubeconfig(text, cloud, operation));
}

export function plainFromCloudKubeconfig({ cluster, user, refuse }: CloudKubeconfig): string {
  if (user.exec || user.authProvider)
    throw refuse('it asks to run a credential plugin (exec/auth-provider), which Dolly never does');
  if (user.certFile || user.keyFile) throw refuse('it points at files on this host');
  if (user.username || user.password) throw refuse('basic authentication is not accepted');
  const hasCert = Boolean(user.certData && user.keyData);
  if (!user.token && !hasCert) throw refuse('it holds neither a token nor a client certificate');
  return kubeconfigDocument({
    name: cluster.name,
    server: cluster.server,
    ...(cluster.caData ? { caPemBase64: cluster.caData } : {}),
    ...(user.token ? { token: user.token } : { certBase64: user.certData, keyBase64: user.keyData }),
  });
}

/** The one shape of kubeconfig Dolly writes (JSON is YAML; kubectl and client-node read it). */
export function kubeconfigDocument(opts: {
  name: string;
  server: string;
  caPemBase64?: string;
  token?: string;
  certBase64?: string;
  keyBase64?: string;
}): string {
  const user = opts.token
    ? { token: opts.token }
    : { 'client-certificate-data': opts.certBase64, 'client-key-data': opts.keyBase64 };
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: opts.name,
          cluster: {
            server: opts.server,
            ...(opts.caPemBase64 ? { 'certificate-authority-data': opts.caPemBase64 } : {}),
          },
        },
      ],
      users: [{ name: opts.name, user }],
      contexts: [{ name: opts.name, context: { cluster: opts.name, user: opts.name } }],
      'current-context': opts.name,
    },
    null,
    2,
  )}\n`;
}

import { KubeConfig, type User } from '@kubernetes/client-node';
import { CloudError } from './errors';
import type { ProviderCloud } from './types';

/** The current cluster and user of a kubeconfig a cloud handed out, the cluster already checked. */
export interface CloudKubeconfig {
  cluster: { name: string; server: string; caData?: string };
  user: User;
  /** the error to throw for anything else Dolly does not accept in it (`field`: where in the document) */
  refuse(why: string, field?: string): CloudError;
}

/**
 * Reads a kubeconfig a cloud (or something posing as one at a tenant-set endpoint) hands out and
 * checks its current cluster: an https server, no skipped TLS verification, no CA file on Dolly's
 * host. The user is returned as is, for the caller to take only what it trusts.
 */
export function readCloudKubeconfig(
  text: string,
  cloud: ProviderCloud,
  operation: string,
  opts: { context?: string } = {},
): CloudKubeconfig {
  const refuse = (why: string, field?: string) =>
    new CloudError({
      cloud,
      operation,
      class: 'rejected',
      message: `refused the cluster credentials: ${why}`,
      ...(field ? { field } : {}),
    });
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch {
    throw refuse('not a kubeconfig');
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context))
      throw refuse(`it has no context named ${opts.context}`, 'context');
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user) throw refuse('no current context', 'current-context');
  if (cluster.skipTLSVerify)
    throw refuse('it turns off TLS verification', 'clusters[].cluster.insecure-skip-tls-verify');
  if (cluster.caFile)
    throw refuse('it points at files on this host', 'clusters[].cluster.certificate-authority');
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw refuse('the server is not a URL', 'clusters[].cluster.server');
  }
  if (server.protocol !== 'https:') throw refuse('the server is not https', 'clusters[].cluster.server');
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
export function plainKubeconfig(text: string, cloud: ProviderCloud, operation: string): string {
  return plainFromCloudKubeconfig(readCloudKubeconfig(text, cloud, operation));
}

export function plainFromCloudKubeconfig(read: CloudKubeconfig): string {
  const c = trustedCredential(read);
  return kubeconfigDocument({
    name: read.cluster.name,
    server: c.server,
    ...(c.caData ? { caPemBase64: c.caData } : {}),
    ...(c.token ? { token: c.token } : { certBase64: c.certData, keyBase64: c.keyData }),
  });
}

/** The parts of a checked kubeconfig Dolly keeps: server, CA data, a token or a client certificate. */
export interface TrustedClusterCredential {
  server: string;
  /** base64 PEM, as in `certificate-authority-data` */
  caData?: string;
  token?: string;
  certData?: string;
  keyData?: string;
}

export function trustedCredential({ cluster, user, refuse }: CloudKubeconfig): TrustedClusterCredential {
  if (user.exec)
    throw refuse('it asks to run a credential plugin (exec), which Dolly never does', 'users[].user.exec');
  if (user.authProvider)
    throw refuse(
      'it asks to run a credential plugin (auth-provider), which Dolly never does',
      'users[].user.auth-provider',
    );
  if (user.certFile || user.keyFile)
    throw refuse('it points at files on this host', 'users[].user.client-certificate');
  if (user.username || user.password)
    throw refuse('basic authentication is not accepted', 'users[].user.username');
  const hasCert = Boolean(user.certData && user.keyData);
  if (!user.token && !hasCert)
    throw refuse('it holds neither a token nor a client certificate', 'users[].user.token');
  return {
    server: cluster.server,
    ...(cluster.caData ? { caData: cluster.caData } : {}),
    ...(user.token ? { token: user.token } : { certData: user.certData, keyData: user.keyData }),
  };
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

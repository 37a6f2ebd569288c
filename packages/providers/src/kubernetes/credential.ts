import { CloudError } from '../errors';
import {
  kubeconfigDocument,
  readCloudKubeconfig,
  type TrustedClusterCredential,
  trustedCredential,
} from '../kubeconfig';

/**
 * The sealed credential of an imported cluster: only what Dolly trusts out of a kubeconfig (the
 * server, its CA and a bearer token or client certificate), never the kubeconfig itself, so an exec
 * plugin, auth-provider or skipped TLS verification can never be loaded later.
 */
export interface ImportedCredential extends TrustedClusterCredential {
  kind: 'kubeconfig';
  /** the context the credential was read from, for the operator's memory */
  context?: string;
}

/** What a person hands over: a kubeconfig (and which context), or server, CA and token. */
export type ImportedCredentialInput =
  | { kubeconfig: string; context?: string | undefined }
  | { server: string; caPem?: string | undefined; token: string };

/**
 * Reads the credential of a cluster to import through the same checks as every kubeconfig a cloud
 * hands out (`readCloudKubeconfig`, `trustedCredential`). Throws a `rejected` CloudError whose
 * `field` names the part of the kubeconfig Dolly refuses (`users[].user.exec`, ...).
 */
export function importedCredentialFrom(input: ImportedCredentialInput): ImportedCredential {
  const text =
    'kubeconfig' in input
      ? input.kubeconfig
      : kubeconfigDocument({
          name: 'imported',
          server: input.server,
          ...(input.caPem ? { caPemBase64: Buffer.from(input.caPem).toString('base64') } : {}),
          token: input.token,
        });
  const context = 'kubeconfig' in input ? input.context : undefined;
  const read = readCloudKubeconfig(text, 'kubernetes', 'import', context ? { context } : {});
  const trusted: TrustedClusterCredential = trustedCredential(read);
  if (trusted.caData && !Buffer.from(trusted.caData, 'base64').toString('utf8').includes('BEGIN CERTIFICATE'))
    throw read.refuse(
      'the CA data is not a PEM certificate',
      'clusters[].cluster.certificate-authority-data',
    );
  return { kind: 'kubeconfig', ...trusted, ...(context ? { context } : {}) };
}

/** The stored credential, opened from the vault, checked again (a row is input too). */
export function parseImportedCredential(stored: Record<string, unknown>): ImportedCredential {
  const text = (k: string) => (typeof stored[k] === 'string' ? (stored[k] as string) : undefined);
  const server = text('server');
  const [token, certData, keyData, caData, context] = [
    'token',
    'certData',
    'keyData',
    'caData',
    'context',
  ].map(text);
  if (!server?.startsWith('https://') || (!token && !(certData && keyData)))
    throw new CloudError({
      cloud: 'kubernetes',
      operation: 'credential',
      class: 'auth',
      message: 'the stored cluster credential is not usable; rotate it',
    });
  return {
    kind: 'kubeconfig',
    server,
    ...(caData ? { caData } : {}),
    ...(token ? { token } : { certData, keyData }),
    ...(context ? { context } : {}),
  };
}

/** The one kubeconfig Dolly builds for an imported cluster (never the one it was given). */
export function importedKubeconfig(name: string, c: ImportedCredential): string {
  return kubeconfigDocument({
    name,
    server: c.server,
    ...(c.caData ? { caPemBase64: c.caData } : {}),
    ...(c.token ? { token: c.token } : { certBase64: c.certData, keyBase64: c.keyData }),
  });
}

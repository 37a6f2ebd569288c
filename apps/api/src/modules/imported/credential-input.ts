import { DollyError } from '@dolly/contracts';
import {
  CloudError,
  checkTenantEndpoint,
  type ImportedCredential,
  importedCredentialFrom,
} from '@dolly/providers';
import { z } from 'zod';

/** How a person hands Dolly a cluster: a kubeconfig (and which context), or server, CA and token. */
export const clusterCredentialFields = {
  kubeconfig: z.string().min(1).max(256_000).optional().meta({
    description:
      'kubeconfig YAML or JSON; only the server, CA and a token or client certificate are kept. exec, auth-provider, insecure-skip-tls-verify and files on the host are refused.',
  }),
  context: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'context of the kubeconfig; default its current one' }),
  server: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'instead of a kubeconfig: the API server (https)' }),
  caPem: z
    .string()
    .includes('BEGIN CERTIFICATE', { message: 'a PEM certificate' })
    .optional()
    .meta({ description: "with server: the cluster's CA (PEM)" }),
  token: z.string().min(1).optional().meta({ description: 'with server: a bearer token' }),
};
const credentialInput = z.object(clusterCredentialFields);
type CredentialInput = z.infer<typeof credentialInput>;

/**
 * The credential a request hands over, read through the kubeconfig checks every cloud's kubeconfig
 * goes through, and its server through the tenant endpoint policy (https, no internal address unless
 * allow-listed). Every refusal is a 422 naming the field at fault.
 */
export async function credentialFromRequest(
  body: CredentialInput,
  allowlist: string[],
): Promise<ImportedCredential> {
  let credential: ImportedCredential;
  const viaKubeconfig = body.kubeconfig !== undefined;
  if (viaKubeconfig === (body.server !== undefined))
    throw new DollyError('validation_failed', 'Give a kubeconfig, or a server with a token', [
      { path: 'body.kubeconfig', message: 'either kubeconfig, or server and token' },
    ]);
  if (!viaKubeconfig && !body.token)
    throw new DollyError('validation_failed', 'A server needs a token', [
      { path: 'body.token', message: 'required with server' },
    ]);
  try {
    credential = importedCredentialFrom(
      body.kubeconfig !== undefined
        ? { kubeconfig: body.kubeconfig, context: body.context }
        : { server: body.server ?? '', caPem: body.caPem, token: body.token ?? '' },
    );
  } catch (e) {
    if (!(e instanceof CloudError)) throw e;
    throw new DollyError('unprocessable', e.message, [
      {
        path: fieldPath(viaKubeconfig, e.field),
        message: e.message.replace(/^refused the cluster credentials: /, ''),
      },
    ]);
  }
  const verdict = await checkTenantEndpoint(credential.server, allowlist);
  if (!verdict.ok)
    throw new DollyError(
      'unprocessable',
      `The cluster's server is not one Dolly may call: ${verdict.reason}`,
      [{ path: fieldPath(viaKubeconfig, 'clusters[].cluster.server'), message: verdict.reason }],
    );
  return credential;
}

/** `body.kubeconfig.users[].user.exec` for a kubeconfig; the matching flat field otherwise. */
function fieldPath(viaKubeconfig: boolean, field: string | undefined): string {
  if (field === 'context') return 'body.context';
  if (viaKubeconfig) return field ? `body.kubeconfig.${field}` : 'body.kubeconfig';
  if (field?.includes('server')) return 'body.server';
  if (field?.includes('certificate-authority')) return 'body.caPem';
  return 'body.token';
}

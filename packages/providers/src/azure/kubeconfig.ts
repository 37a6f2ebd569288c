import type { User } from '@kubernetes/client-node';
import { type CloudKubeconfig, kubeconfigDocument, plainFromCloudKubeconfig } from '../kubeconfig';

/**
 * The AKS AAD server application. AKS-managed Azure AD clusters accept Entra access tokens issued
 * for it (kubelogin's `--server-id`, the `apiserver-id` of the retired `azure` auth-provider); a
 * service principal gets one with client credentials for `<id>/.default`, which is what
 * `kubelogin get-token --login spn` does (https://azure.github.io/kubelogin/concepts/login-modes/sp.html).
 */
export const AKS_AAD_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The server application an AAD user entry asks a token for: a kubelogin exec entry
 * (`kubelogin get-token ... --server-id <id>`) or the `azure` auth-provider. `undefined` when the
 * user is not one of those; `''` when it is, but names no server application.
 */
export function aadServerAppOf(user: User): string | undefined {
  const exec = asRecord(user.exec);
  if (exec) {
    const command = typeof exec.command === 'string' ? exec.command : '';
    const args = Array.isArray(exec.args) ? exec.args.filter((a): a is string => typeof a === 'string') : [];
    if (!/(^|[/\\])kubelogin(\.exe)?$/.test(command) || !args.includes('get-token')) return undefined;
    const at = args.indexOf('--server-id');
    const inline = args.find((a) => a.startsWith('--server-id='));
    return (at >= 0 ? args[at + 1] : inline?.slice('--server-id='.length)) ?? '';
  }
  const provider = asRecord(user.authProvider);
  if (provider?.name !== 'azure') return undefined;
  const id = asRecord(provider.config)?.['apiserver-id'];
  return typeof id === 'string' ? id : '';
}

/**
 * The kubeconfig Dolly uses for an AKS cluster. A local-account credential is kept as it is
 * (plainFromCloudKubeconfig); for an Azure AD cluster, whose user credential names kubelogin,
 * nothing of the user entry is run or kept: Dolly asks Entra itself, with the account's own
 * credential, for a token for the AKS server application and writes a plain token kubeconfig.
 * A server application other than the expected one is refused: the server comes from the cloud's
 * answer, and Dolly never hands a token for another audience to it.
 */
export async function aksKubeconfig(
  parsed: CloudKubeconfig,
  opts: { serverAppId: string; aadToken: (scope: string) => Promise<string> },
): Promise<string> {
  const serverApp = aadServerAppOf(parsed.user);
  if (serverApp === undefined) return plainFromCloudKubeconfig(parsed);
  if (serverApp.toLowerCase() !== opts.serverAppId.toLowerCase()) {
    throw parsed.refuse(
      `it asks for an Azure AD token for server application '${serverApp || '(none)'}'; Dolly only obtains tokens for the AKS server application ${opts.serverAppId} (settings.aksServerAppId)`,
    );
  }
  const token = await opts.aadToken(`${opts.serverAppId}/.default`);
  return kubeconfigDocument({
    name: parsed.cluster.name,
    server: parsed.cluster.server,
    ...(parsed.cluster.caData ? { caPemBase64: parsed.cluster.caData } : {}),
    token,
  });
}

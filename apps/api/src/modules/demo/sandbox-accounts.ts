import type { CredentialVault, Database } from '@dolly/db';
import { z } from 'zod';

/** What the sandbox's GET /_sandbox/accounts returns (apps/sandbox/src/context.ts, SandboxAccount). */
const sandboxAccountSchema = z.object({
  cloud: z.enum(['aws', 'azure', 'gcp']),
  id: z.string(),
  displayName: z.string(),
  endpoints: z.record(z.string(), z.string()),
  credentials: z.record(z.string(), z.unknown()),
  caCertPem: z.string(),
});
export type SandboxAccountInfo = z.infer<typeof sandboxAccountSchema>;

const credentialKind = {
  aws: 'aws-access-key',
  azure: 'azure-client-secret',
  gcp: 'gcp-service-account-key',
} as const;
const accountName = { aws: 'Sandbox AWS', azure: 'Sandbox Azure', gcp: 'Sandbox Google Cloud' } as const;

/**
 * Demo mode: give the demo tenant one cloud account per sandbox cloud, stored exactly like an
 * account a user adds (credentials sealed in the vault). Several sandbox projects or
 * subscriptions of one cloud become the scopes of that one account.
 */
export async function registerSandboxAccounts(
  db: Database,
  vault: CredentialVault,
  tenantId: string,
  sandboxUrl: string,
) {
  const res = await fetch(`${sandboxUrl}/_sandbox/accounts`);
  if (!res.ok) throw new Error(`sandbox answered ${res.status} for /_sandbox/accounts`);
  const accounts = z.array(sandboxAccountSchema).parse(await res.json());
  const byCloud = new Map<SandboxAccountInfo['cloud'], SandboxAccountInfo[]>();
  for (const a of accounts) byCloud.set(a.cloud, [...(byCloud.get(a.cloud) ?? []), a]);
  const created: string[] = [];
  for (const [cloud, list] of byCloud) {
    const first = list[0];
    if (!first) continue;
    // Stored exactly like an account added through the API: the kind plus the cloud's own fields.
    const sealed = vault.seal({ kind: credentialKind[cloud], ...first.credentials });
    const data = {
      cloud,
      scope: first.id,
      endpoint: first.endpoints[Object.keys(first.endpoints)[0] ?? ''] ?? null,
      caBundle: first.caCertPem,
      credentialKind: credentialKind[cloud],
      credentialsCipher: sealed.cipher,
      credentialsKeyId: sealed.keyId,
      settings: {
        endpoints: first.endpoints,
        scopes: list.map((a) => a.id),
        ...(cloud === 'azure' ? { resourceGroup: 'dolly-demo' } : {}),
        // The sandbox has no IAM; real accounts name the roles EKS clusters and node groups assume.
        ...(cloud === 'aws'
          ? {
              clusterRoleArn: `arn:aws:iam::${first.id}:role/dolly-eks-cluster`,
              nodeRoleArn: `arn:aws:iam::${first.id}:role/dolly-eks-node`,
            }
          : {}),
      },
      defaultEnvironment: null,
    };
    await db.cloudAccount.upsert({
      where: { tenantId_name: { tenantId, name: accountName[cloud] } },
      update: data,
      create: { tenantId, name: accountName[cloud], ...data },
    });
    created.push(accountName[cloud]);
  }
  return created;
}

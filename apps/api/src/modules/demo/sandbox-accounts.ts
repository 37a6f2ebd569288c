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
 * Demo mode: give the demo tenant one cloud account per sandbox account (AWS account, Azure
 * subscription, GCP project), stored exactly like an account a user adds (credentials sealed in
 * the vault). The first of each cloud is named after the cloud ("Sandbox AWS").
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
  const created: string[] = [];
  const seen = new Map<SandboxAccountInfo['cloud'], number>();
  for (const a of accounts) {
    const n = seen.get(a.cloud) ?? 0;
    seen.set(a.cloud, n + 1);
    // One Dolly account per project/subscription: each sandbox project has its own service account.
    const name = n === 0 ? accountName[a.cloud] : `${accountName[a.cloud]} (${a.id})`;
    await registerSandboxAccount(db, vault, tenantId, a, name);
    created.push(name);
  }
  return created;
}

/** One sandbox account as a Dolly account named `name` (created, or updated if the name exists). */
export async function registerSandboxAccount(
  db: Database,
  vault: CredentialVault,
  tenantId: string,
  a: SandboxAccountInfo,
  name: string,
) {
  // Stored exactly like an account added through the API: the kind plus the cloud's own fields.
  const sealed = vault.seal({ kind: credentialKind[a.cloud], ...a.credentials });
  const https = Object.values(a.endpoints).some((u) => u.startsWith('https:'));
  const data = {
    cloud: a.cloud,
    scope: a.id,
    endpoint: a.endpoints[Object.keys(a.endpoints)[0] ?? ''] ?? null,
    caBundle: https ? a.caCertPem : null,
    credentialKind: credentialKind[a.cloud],
    credentialsCipher: sealed.cipher,
    credentialsKeyId: sealed.keyId,
    settings: {
      endpoints: a.endpoints,
      ...(a.cloud === 'azure' ? { resourceGroup: 'dolly-demo' } : {}),
      // The sandbox has no IAM; real accounts name the roles EKS clusters and node groups assume.
      ...(a.cloud === 'aws'
        ? {
            clusterRoleArn: `arn:aws:iam::${a.id}:role/dolly-eks-cluster`,
            nodeRoleArn: `arn:aws:iam::${a.id}:role/dolly-eks-node`,
          }
        : {}),
    },
    defaultEnvironment: /-dev$/.test(a.id) ? 'dev' : null,
  };
  await db.cloudAccount.upsert({
    where: { tenantId_name: { tenantId, name } },
    update: data,
    create: { tenantId, name, ...data },
  });
}

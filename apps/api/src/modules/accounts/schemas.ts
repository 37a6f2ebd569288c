import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

/**
 * A CA bundle the account's TLS connections trust besides the public roots: every PEM block must be a
 * certificate Node can parse, so a typo fails here with the field named, not later inside a TLS handshake.
 */
export const caBundleSchema = z
  .string()
  .max(256 * 1024)
  .refine(isCertificateBundle, { message: 'a PEM bundle of one or more X.509 certificates' });

function isCertificateBundle(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) return false;
  // Anything but certificates (a private key pasted by mistake) is refused rather than ignored.
  if (pem.replace(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g, '').trim()) return false;
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

/**
 * Credential documents per kind. They go into the vault as they are and never come back out of
 * the API; only the kind is shown.
 */
export const credentialsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('aws-access-key'),
    accessKeyId: z.string().min(16),
    secretAccessKey: z.string().min(16),
    sessionToken: z.string().optional(),
  }),
  z.object({
    kind: z.literal('aws-assume-role'),
    roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN'),
    externalId: z
      .string()
      .optional()
      .meta({ description: 'Ignored: Dolly generates one per account and shows it in settings.externalId' }),
    // The keys of the principal that assumes the role; never the host's own credentials.
    sourceAccessKeyId: z.string().min(16),
    sourceSecretAccessKey: z.string().min(16),
    sourceSessionToken: z.string().optional(),
  }),
  z.object({ kind: z.literal('aws-default-chain') }),
  z.object({
    kind: z.literal('azure-client-secret'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  }),
  z.object({ kind: z.literal('azure-default') }),
  // The service-account key JSON as Google issues it, with `kind` added.
  z.looseObject({
    kind: z.literal('gcp-service-account-key'),
    type: z.literal('service_account'),
    client_email: z.string().min(1),
    private_key: z.string().includes('PRIVATE KEY', { message: 'a PEM private key' }),
    token_uri: z.string().optional(),
  }),
  z.object({ kind: z.literal('gcp-application-default') }),
]);
export type CredentialsInput = z.infer<typeof credentialsSchema>;

export const accountSettingsSchema = z
  .looseObject({
    scopes: z
      .array(z.string())
      .optional()
      .meta({ description: 'More projects / subscriptions this credential reaches' }),
    regions: z
      .array(z.string())
      .optional()
      .meta({ description: 'Regions to discover; default: all of the cloud' }),
    resourceGroup: z.string().optional().meta({ description: 'Azure: resource group for created clusters' }),
    clusterRoleArn: z.string().optional().meta({ description: 'AWS: IAM role for EKS control planes' }),
    nodeRoleArn: z.string().optional().meta({ description: 'AWS: IAM role for EKS nodes' }),
    createMissingRoles: z.boolean().optional().meta({
      description:
        'AWS: when the cluster or node role does not exist (or no ARN is set), apply creates dolly-eks-cluster-<plan> / dolly-eks-node-<plan> with the trust and managed policies EKS needs, records them in the ledger, and rollback deletes them',
    }),
    createMissingNetwork: z.boolean().optional().meta({
      description:
        'AWS: when a region has neither settings.subnetIds nor a default VPC, apply creates a VPC with public subnets in two or more Availability Zones; GCP: when settings.network (or `default`) does not exist, apply creates it with a subnet in the cluster region. Recorded in the ledger; rollback deletes them after the clusters',
    }),
    subnetIds: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .meta({ description: 'AWS: subnets per region' }),
    network: z.string().optional().meta({ description: 'GCP: VPC network for created clusters' }),
    endpoints: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Per-service endpoint overrides' }),
  })
  .default({});

export const accountSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    cloud: z.enum(['aws', 'azure', 'gcp', 'kubernetes']).meta({
      description: '`kubernetes`: one cluster imported by kubeconfig (POST /api/v1/clusters/import)',
    }),
    scope: z.string().nullable(),
    endpoint: z.string().nullable(),
    hasCaBundle: z.boolean(),
    credentialKind: z.string(),
    settings: z.record(z.string(), z.unknown()),
    defaultEnvironment: z.string().nullable(),
    lastTestedAt: z.iso.datetime().nullable(),
    lastTestResult: z.unknown().nullable(),
    clusters: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'CloudAccount', description: 'A cloud account. Credentials are write-only: never returned.' });

export const createAccountBody = z.object({
  name: z.string().min(1).max(100).meta({ example: 'prod-aws' }),
  cloud: z.enum(['aws', 'azure', 'gcp']),
  scope: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'AWS account id, Azure subscription id or GCP project id' }),
  endpoint: z
    .url()
    .optional()
    .meta({ description: 'Service endpoint override (private or sovereign clouds)' }),
  caBundle: caBundleSchema.optional(),
  credentials: credentialsSchema,
  settings: accountSettingsSchema,
  defaultEnvironment: z.string().min(1).max(40).optional().meta({ example: 'dev' }),
});

const cloudOfKind = { aws: 'aws-', azure: 'azure-', gcp: 'gcp-' } as const;
/** An imported cluster's credential is rotated through its own route, never as a cloud kind. */
export function credentialsFitCloud(cloud: 'aws' | 'azure' | 'gcp' | 'kubernetes', kind: string) {
  return cloud !== 'kubernetes' && kind.startsWith(cloudOfKind[cloud]);
}

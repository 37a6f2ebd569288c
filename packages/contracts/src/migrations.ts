import { z } from 'zod';

/**
 * Workload migration (design/migration.md): the request every front door sends, the dry-run
 * document (the plan shown before anything is written) and the run result. Secret values never
 * appear in any of them.
 */

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'a DNS label: lowercase letters, digits and "-", at most 63',
  );

const stringMap = z.record(z.string().min(1), z.string().min(1));

/**
 * The slowest volume copy Dolly accepts. A run holds a worker slot (and a tenant slot) while it
 * copies, so a near-zero cap would let one migration sit on them indefinitely.
 */
export const MIN_BANDWIDTH_BYTES_PER_SEC = 64 * 1024;

export const migrationRequestFields = {
  sourceClusterId: z.uuid().meta({ description: 'Inventory cluster to copy from' }),
  targetClusterId: z.uuid().meta({ description: 'Inventory cluster to copy into (may be the same)' }),
  namespaces: z
    .array(z.string().min(1).max(253))
    .min(1)
    .meta({ description: 'Namespace names or globs (`*`, `?`, `[a-z]`)', example: ['shop', 'team-*'] }),
  excludeNamespaces: z.array(z.string().min(1)).optional().meta({ description: 'Names or globs left out' }),
  namespaceMap: z
    .record(z.string().min(1), dnsLabel)
    .optional()
    .meta({ description: 'Source namespace → target namespace', example: { shop: 'shop-dev' } }),
  labelSelector: z
    .string()
    .max(1000)
    .optional()
    .meta({ description: 'Kubernetes label selector applied to namespaced objects', example: 'app!=legacy' }),
  includeKinds: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Only these kinds (`Deployment` or `Ingress.networking.k8s.io`)' }),
  excludeKinds: z.array(z.string().min(1)).optional().meta({ description: 'Kinds left out' }),
  storageClassMap: stringMap
    .optional()
    .meta({ description: 'Source storage class → target class; overrides the per-cloud defaults' }),
  registryMap: stringMap.optional().meta({
    description: 'Image registry prefix → replacement, matched on `/` boundaries',
    example: { '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo': 'us-docker.pkg.dev/dolly-dev' },
  }),
  identityMap: stringMap.optional().meta({
    description:
      'ServiceAccount (`namespace/name` or `name`) → target cloud identity (IAM role ARN, managed identity client id, or Google service account email)',
  }),
  nodePoolMap: stringMap
    .optional()
    .meta({ description: 'Source node pool → target node pool for node selectors and affinities' }),
  ingressClassMap: stringMap.optional().meta({ description: 'Source ingress class → target ingress class' }),
  pullSecretMap: z
    .record(z.string().min(1), z.string())
    .optional()
    .meta({ description: 'Image pull secret → replacement; an empty string removes the reference' }),
  existing: z
    .enum(['skip', 'update'])
    .default('skip')
    .meta({ description: 'What to do with objects that already exist in the target' }),
  includeSecrets: z.boolean().default(false).meta({ description: 'Copy Secrets (operator and above)' }),
  copyVolumes: z.boolean().default(false).meta({ description: "Copy each PVC's files to the target" }),
  cutover: z
    .boolean()
    .default(false)
    .meta({ description: 'Stop and sync: scale the source down, copy the final state, start the target' }),
  bandwidthBytesPerSec: z
    .number()
    .int()
    .min(MIN_BANDWIDTH_BYTES_PER_SEC, {
      message: `at least ${MIN_BANDWIDTH_BYTES_PER_SEC} bytes per second (64 KiB/s): a slower copy would hold a worker slot for days`,
    })
    .optional()
    .meta({ description: 'Cap on the volume copy stream, in bytes per second (at least 65536)' }),
  readyTimeoutSec: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(600)
    .meta({ description: 'How long workloads may take to become Ready on the target' }),
};

function checkRequest(
  r: { cutover: boolean; copyVolumes: boolean; namespaceMap?: Record<string, string> | undefined },
  ctx: z.RefinementCtx,
) {
  if (r.cutover && !r.copyVolumes)
    ctx.addIssue({ code: 'custom', path: ['cutover'], message: 'cutover needs copyVolumes' });
  const targets = Object.values(r.namespaceMap ?? {});
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup)
    ctx.addIssue({
      code: 'custom',
      path: ['namespaceMap'],
      message: `two namespaces map to ${dup}`,
    });
}

export const migrationRequestSchema = z
  .object(migrationRequestFields)
  .superRefine(checkRequest)
  .meta({ id: 'MigrationRequest' });
export type MigrationRequest = z.output<typeof migrationRequestSchema>;
export type MigrationRequestInput = z.input<typeof migrationRequestSchema>;

/**
 * The workloads of a clone with workloads: a migration request without its clusters (the source is
 * the plan item's source, the target the cluster the clone creates).
 */
export const environmentWorkloadsSchema = z
  .object(migrationRequestFields)
  .omit({ sourceClusterId: true, targetClusterId: true })
  // inline, not a named component: the generated client then keeps defaulted fields optional
  .superRefine(checkRequest);
export type EnvironmentWorkloads = z.output<typeof environmentWorkloadsSchema>;

/** POST /api/v1/migrations: the request, plus whether to only compute the dry run. */
export const createMigrationBodySchema = z
  .object({
    ...migrationRequestFields,
    dryRun: z
      .boolean()
      .default(false)
      .meta({ description: 'Answer with the dry-run document; nothing is written anywhere' }),
  })
  .superRefine(checkRequest);

export const objectRefSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
  })
  .meta({ id: 'ObjectRef' });
export type ObjectRef = z.infer<typeof objectRefSchema>;

export const changeRecordSchema = z
  .object({
    rule: z.string().meta({ description: 'The named transform rule' }),
    path: z.string().meta({ example: 'spec.template.spec.nodeSelector' }),
    op: z.enum(['remove', 'set', 'add']),
    from: z.unknown().optional(),
    to: z.unknown().optional(),
    note: z.string().optional(),
  })
  .meta({ id: 'MigrationChange' });
export type ChangeRecord = z.infer<typeof changeRecordSchema>;

export const migrationWarningSchema = z
  .object({
    rule: z.string(),
    message: z.string(),
    ref: objectRefSchema.optional(),
    action: z.string().optional().meta({ description: 'What a person still has to do' }),
  })
  .meta({ id: 'MigrationWarning' });
export type MigrationWarning = z.infer<typeof migrationWarningSchema>;

export const preflightCheckSchema = z
  .object({
    name: z.string(),
    status: z.enum(['pass', 'warn', 'fail']),
    message: z.string(),
    refs: z.array(objectRefSchema).optional(),
  })
  .meta({ id: 'PreflightCheck' });
export type PreflightCheck = z.infer<typeof preflightCheckSchema>;

export const migrationTiers = [
  'definitions',
  'storage',
  'rbac',
  'config',
  'secrets',
  'volumes',
  'workloads',
  'services',
  'ingress',
  'rest',
] as const;
export type MigrationTier = (typeof migrationTiers)[number];

export const plannedObjectSchema = z
  .object({
    source: objectRefSchema,
    target: objectRefSchema,
    tier: z.enum(migrationTiers),
    action: z
      .enum(['create', 'update', 'skip', 'unchanged'])
      .meta({ description: 'What apply will do given what the target holds now' }),
    reason: z.string().optional(),
    changes: z.array(changeRecordSchema),
    diff: z.string().meta({ description: 'Unified diff of the target object against this one' }),
    object: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The transformed object; Secret values are replaced by "<redacted>"' }),
  })
  .meta({ id: 'PlannedObject' });
export type PlannedObject = z.infer<typeof plannedObjectSchema>;

export const skippedObjectSchema = z
  .object({ ref: objectRefSchema, rule: z.string(), reason: z.string() })
  .meta({ id: 'SkippedObject' });
export type SkippedObject = z.infer<typeof skippedObjectSchema>;

export const plannedVolumeSchema = z
  .object({
    source: objectRefSchema,
    target: objectRefSchema,
    storageClass: z.string().nullable(),
    targetStorageClass: z.string().nullable(),
    size: z.string().nullable(),
    bound: z.boolean(),
    /** workloads that mount the claim, held at zero replicas until the data is copied */
    usedBy: z.array(objectRefSchema),
  })
  .meta({ id: 'PlannedVolume' });
export type PlannedVolume = z.infer<typeof plannedVolumeSchema>;

const clusterSideSchema = z.object({
  clusterId: z.string().optional(),
  cloud: z.enum(['aws', 'azure', 'gcp', 'kubernetes']),
  name: z.string(),
  scope: z.string().optional(),
  location: z.string().optional(),
});

/** The dry run: everything apply would do, reviewable and downloadable as YAML. */
export const migrationPlanSchema = z
  .object({
    id: z.string().meta({ description: 'The migration id (the run id): the dolly-migration label value' }),
    createdAt: z.iso.datetime(),
    source: clusterSideSchema,
    target: clusterSideSchema,
    request: z.object(migrationRequestFields),
    namespaces: z.array(z.object({ source: z.string(), target: z.string(), existsInTarget: z.boolean() })),
    objects: z.array(plannedObjectSchema),
    skipped: z.array(skippedObjectSchema),
    volumes: z.array(plannedVolumeSchema),
    warnings: z.array(migrationWarningSchema),
    preflight: z.object({ ok: z.boolean(), checks: z.array(preflightCheckSchema) }),
    summary: z.object({
      objects: z.number().int(),
      create: z.number().int(),
      update: z.number().int(),
      skip: z.number().int(),
      unchanged: z.number().int(),
      skippedByRules: z.number().int(),
      warnings: z.number().int(),
      volumes: z.number().int(),
    }),
  })
  .meta({ id: 'MigrationPlan' });
export type MigrationPlanDto = z.infer<typeof migrationPlanSchema>;

export const objectResultSchema = z
  .object({
    source: objectRefSchema,
    target: objectRefSchema,
    tier: z.enum(migrationTiers),
    result: z.enum(['created', 'updated', 'skipped', 'failed']),
    reason: z.string().optional(),
  })
  .meta({ id: 'MigrationObjectResult' });
export type ObjectResult = z.infer<typeof objectResultSchema>;

export const volumeResultSchema = z
  .object({
    source: objectRefSchema,
    target: objectRefSchema,
    result: z.enum(['copied', 'in_sync', 'failed']),
    bytes: z.number().int(),
    files: z.number().int(),
    verified: z.boolean().meta({ description: 'Every source file has the same sha256 in the target' }),
    reason: z.string().optional(),
  })
  .meta({ id: 'MigrationVolumeResult' });
export type VolumeResult = z.infer<typeof volumeResultSchema>;

export const workloadResultSchema = z
  .object({
    ref: objectRefSchema,
    ready: z.boolean(),
    replicas: z.number().int(),
    readyReplicas: z.number().int(),
    reason: z.string().optional(),
  })
  .meta({ id: 'MigrationWorkloadResult' });
export type WorkloadResult = z.infer<typeof workloadResultSchema>;

export const migrationResultSchema = z
  .object({
    status: z.enum(['succeeded', 'partially_succeeded', 'failed']),
    objects: z.array(objectResultSchema),
    volumes: z.array(volumeResultSchema),
    workloads: z.array(workloadResultSchema),
    failed: z.array(z.object({ ref: objectRefSchema, reason: z.string() })),
    counts: z.record(z.string(), z.number().int()),
  })
  .meta({ id: 'MigrationResult' });
export type MigrationResultDto = z.infer<typeof migrationResultSchema>;

/** Queue payload of the `migrate` job (ids only, as every payload). */
export const migrateJobPayloadSchema = z.object({ runId: z.uuid(), tenantId: z.uuid() });
export type MigrateJobPayload = z.infer<typeof migrateJobPayloadSchema>;

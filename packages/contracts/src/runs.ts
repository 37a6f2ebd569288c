import { z } from 'zod';

export const runKinds = ['selftest', 'sync', 'clone', 'rollback', 'migrate', 'environment'] as const;
export const runKindSchema = z.enum(runKinds);
export type RunKind = z.infer<typeof runKindSchema>;

/**
 * Every run status with a label, a colour token and a one-line description, so every front door
 * (dashboard, CLI) says the same thing. Status is never shown by colour alone.
 */
export const runStatuses = {
  pending_approval: {
    label: 'Pending approval',
    tone: 'attention',
    terminal: false,
    description: 'Waiting for an operator to approve it',
  },
  queued: { label: 'Queued', tone: 'neutral', terminal: false, description: 'Waiting for a worker' },
  running: {
    label: 'Running',
    tone: 'progress',
    terminal: false,
    description: 'A worker is executing its steps',
  },
  waiting: {
    label: 'Waiting on cloud',
    tone: 'progress',
    terminal: false,
    description: 'A cloud operation is in progress',
  },
  succeeded: { label: 'Succeeded', tone: 'success', terminal: true, description: 'Every step finished' },
  partially_succeeded: {
    label: 'Partially succeeded',
    tone: 'attention',
    terminal: true,
    description: 'Some items failed; see the results',
  },
  failed: {
    label: 'Failed',
    tone: 'danger',
    terminal: true,
    description: 'A step failed; retry resumes from it, rollback undoes it',
  },
  cancelling: {
    label: 'Cancelling',
    tone: 'attention',
    terminal: false,
    description: 'Stopping the step in flight',
  },
  cancelled: {
    label: 'Cancelled',
    tone: 'neutral',
    terminal: true,
    description: 'Stopped on request; retry or roll back',
  },
  rolling_back: {
    label: 'Rolling back',
    tone: 'progress',
    terminal: false,
    description: 'Deleting what the run created',
  },
  rolled_back: {
    label: 'Rolled back',
    tone: 'neutral',
    terminal: true,
    description: 'Everything the run created was deleted',
  },
  rejected: { label: 'Rejected', tone: 'danger', terminal: true, description: 'An approver rejected it' },
} as const;

export type RunStatus = keyof typeof runStatuses;
export const runStatusSchema = z.enum(Object.keys(runStatuses) as [RunStatus, ...RunStatus[]]);

export function isTerminalStatus(status: RunStatus) {
  return runStatuses[status].terminal;
}

export const stepStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']);

export const errorClassSchema = z.enum([
  'input',
  'policy',
  'cloud',
  'cloud_throttled',
  'cloud_quota',
  'cloud_rejected',
  'system',
]);
export type ErrorClass = z.infer<typeof errorClassSchema>;

export const runEventLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const runEventSchema = z
  .object({
    id: z.string().meta({ description: 'Monotonic event id (also the SSE id)' }),
    runId: z.uuid(),
    level: runEventLevelSchema,
    stepKey: z.string().nullable(),
    message: z.string(),
    data: z.unknown().optional(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'RunEvent' });
export type RunEventDto = z.infer<typeof runEventSchema>;

export const runStepSchema = z
  .object({
    key: z.string(),
    status: stepStatusSchema,
    attempt: z.number().int(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    error: z.unknown().optional(),
    cloudRequestIds: z.array(z.string()),
    output: z.unknown().optional().meta({ description: 'The checkpoint the step stored' }),
  })
  .meta({ id: 'RunStep' });

export const runResourceSchema = z
  .object({
    kind: z.string().meta({ example: 'nodePool' }),
    cloud: z.enum(['aws', 'azure', 'gcp', 'kubernetes']),
    accountId: z.uuid(),
    locator: z.record(z.string(), z.unknown()),
    origin: z.enum(['created', 'adopted']).meta({
      description:
        'created: the run made it and rollback deletes it; adopted: it existed and is never deleted',
    }),
    createdAt: z.iso.datetime(),
    deletedAt: z.iso.datetime().nullable(),
  })
  .meta({
    id: 'RunResource',
    description: 'A cloud resource the run created or adopted (the rollback ledger)',
  });

export const runSchema = z
  .object({
    id: z.uuid(),
    kind: runKindSchema,
    status: runStatusSchema,
    title: z.string().meta({ example: 'Clone shop-prod (gcp us-central1) → aws us-east1' }),
    input: z.unknown(),
    result: z.unknown().optional(),
    error: z.unknown().optional(),
    errorClass: errorClassSchema.nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    planId: z.uuid().nullable(),
    planItemIndex: z.number().int().nullable(),
    parentRunId: z.uuid().nullable().meta({ description: 'The run this one retries or rolls back' }),
    requestedBy: z.string().nullable().meta({ description: 'Email of the requester' }),
    approvedBy: z.string().nullable(),
    approvedAt: z.iso.datetime().nullable(),
    steps: z.array(runStepSchema).optional(),
    resources: z.array(runResourceSchema).optional(),
    children: z
      .array(
        z.object({
          id: z.uuid(),
          kind: runKindSchema,
          status: runStatusSchema,
          title: z.string(),
          step: z.enum(['clone', 'migrate']).meta({ description: 'The step of the parent it belongs to' }),
        }),
      )
      .optional()
      .meta({ description: 'An environment run: its clone and migrate runs (the latest attempt of each)' }),
  })
  .meta({ id: 'Run' });
export type RunDto = z.infer<typeof runSchema>;

/** The operation a step key names: `node-pool:general` and `node-pool:batch` are one operation. */
export const stepOperation = (stepKey: string) => stepKey.split(':')[0] ?? stepKey;

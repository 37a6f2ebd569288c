import type { RequestBody } from '@dolly/api-client';
import type { ClonePlan } from '@dolly/model';
import { dolly, type Schemas, unwrap } from './api-client.ts';
import type { Run } from './runs.ts';

export type StoredPlan = Schemas['StoredPlan'];
export type CreatePlanBody = RequestBody<'/api/v1/plans', 'post'>;

export function createPlan(body: CreatePlanBody): Promise<StoredPlan> {
  return unwrap(dolly.POST('/api/v1/plans', { body }));
}

export function getPlan(id: string): Promise<StoredPlan> {
  return unwrap(dolly.GET('/api/v1/plans/{id}', { params: { path: { id } } }));
}

/** Replaces the document; the API validates it against the target cloud again (422 with field paths). */
export function updatePlan(id: string, document: ClonePlan | unknown, targetEnvironment?: string | null) {
  return unwrap(
    dolly.PUT('/api/v1/plans/{id}', {
      params: { path: { id } },
      body: { document, ...(targetEnvironment === undefined ? {} : { targetEnvironment }) },
    }),
  );
}

export interface ApplyOptions {
  /** Indexes of the plan items to apply; all when absent. */
  items?: number[];
  /** The target cluster name, typed by the user, when the target environment is prod. */
  confirm?: string;
  /** One key per confirmed intent, so a double click or a retry never starts the clone twice. */
  idempotencyKey: string;
  /** A clone with workloads: namespaces migrated into the clone once it exists (one item). */
  workloads?: ApplyWorkloads;
}

export type ApplyWorkloads = NonNullable<RequestBody<'/api/v1/plans/{id}/apply', 'post'>['workloads']>;

export async function applyPlan(planId: string, options: ApplyOptions): Promise<Run[]> {
  const response = await unwrap(
    dolly.POST('/api/v1/plans/{id}/apply', {
      params: { path: { id: planId }, header: { 'idempotency-key': options.idempotencyKey } },
      body: {
        ...(options.items ? { items: options.items } : {}),
        ...(options.confirm ? { confirm: options.confirm } : {}),
        ...(options.workloads ? { workloads: options.workloads } : {}),
      },
    }),
  );
  return response.runs;
}

/**
 * The stored document as the model's ClonePlan type. The generated client types decision values
 * (`from`/`to`, arbitrary JSON) loosely; the API validated the document with the model's schema.
 */
export function planDocument(plan: StoredPlan): ClonePlan {
  return plan.document as unknown as ClonePlan;
}

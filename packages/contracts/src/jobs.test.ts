import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jobPayloadSchema, queueCatalog } from './jobs.ts';
import { isTerminalStatus, runKinds, runStatusSchema, runStatuses } from './runs.ts';

const ids = { runId: randomUUID(), tenantId: randomUUID() };

describe('the queue catalog', () => {
  it('has a job for every run kind, each taking the run and tenant ids', () => {
    for (const kind of runKinds) expect(jobPayloadSchema('runs', kind).parse(ids)).toEqual(ids);
  });

  it('refuses payloads without valid ids', () => {
    for (const job of Object.keys(queueCatalog.runs) as (keyof typeof queueCatalog.runs)[]) {
      const schema = jobPayloadSchema('runs', job);
      expect(schema.safeParse({}).success, job).toBe(false);
      expect(schema.safeParse({ runId: 'run-1', tenantId: 'tenant-1' }).success, job).toBe(false);
    }
    const bad = jobPayloadSchema('runs', 'clone').safeParse({ runId: ids.runId, tenantId: 'nope' });
    expect(bad.error?.issues.map((i) => i.path)).toEqual([['tenantId']]);
  });

  it('carries ids only: other fields (a credential, say) are dropped', () => {
    const parsed = jobPayloadSchema('runs', 'sync').parse({ ...ids, secretAccessKey: 'x' });
    expect(parsed).toEqual(ids);
    expect(jobPayloadSchema('runs', 'scheduled-sync').parse({ ...ids })).toEqual({ tenantId: ids.tenantId });
  });
});

describe('run statuses', () => {
  it('are final exactly for the outcomes', () => {
    const final = Object.keys(runStatuses).filter((s) => isTerminalStatus(s as keyof typeof runStatuses));
    expect(final.sort()).toEqual(
      ['cancelled', 'failed', 'partially_succeeded', 'rejected', 'rolled_back', 'succeeded'].sort(),
    );
    expect(runStatusSchema.safeParse('cancelling').success).toBe(true);
    expect(runStatusSchema.safeParse('done').success).toBe(false);
  });
});

import { queueCatalog, runKinds, runStatuses, stepStatusSchema } from '@dolly/contracts';
import { RunKind, RunStatus, StepStatus } from '@dolly/db';
import { describe, expect, it } from 'vitest';

// The contracts describe what the database stores; the workers (lifecycle, sweeper) rely on both
// agreeing, so a status or kind added on one side only must fail here, not in production.
describe('contracts and the database agree', () => {
  it('on the run statuses', () => {
    expect(Object.keys(runStatuses).sort()).toEqual(Object.values(RunStatus).sort());
  });

  it('on the run kinds, and every kind has a job in the queue catalog (the sweeper re-enqueues by kind)', () => {
    expect([...runKinds].sort()).toEqual(Object.values(RunKind).sort());
    for (const kind of runKinds) expect(Object.keys(queueCatalog.runs), kind).toContain(kind);
  });

  it('on the step statuses', () => {
    expect([...stepStatusSchema.options].sort()).toEqual(Object.values(StepStatus).sort());
  });
});

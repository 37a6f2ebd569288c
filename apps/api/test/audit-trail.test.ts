/**
 * The audit line of a call is written before the caller hears the answer: a script that reads the audit log right
 * after a refused call finds the refusal there, even when Postgres is slow to take the insert.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({}, { worker: false });
});
afterAll(async () => {
  await h?.close();
});

it('writes the line of a refused call before the answer, while inserts into the log are held up', async () => {
  const viewer = await login(h.app, 'viewer@demo.dolly');
  const requestId = randomUUID();
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  // Another session holds the audit table: reads go on, inserts wait until it lets go.
  const holder = h.db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('LOCK TABLE "AuditEntry" IN EXCLUSIVE MODE');
      locked();
      await new Promise((r) => setTimeout(r, 500));
    },
    { timeout: 10_000 },
  );
  await lockTaken;
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf, 'x-request-id': requestId },
    payload: { name: `refused-${requestId}`, role: 'owner' },
  });
  expect(res.statusCode, res.body).toBe(403);
  const entry = await h.db.auditEntry.findFirst({ where: { requestId } });
  expect(entry?.outcome).toBe('denied');
  await holder;
});

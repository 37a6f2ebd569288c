/**
 * A live run stream must not depend on Redis pub/sub to deliver: events written to Postgres with
 * no wake-up message (Redis restarting, a message lost) still reach the browser, and the stream
 * still ends when the run does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;
let address: string;

beforeAll(async () => {
  h = await startHarness({}, { worker: false });
  address = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.close();
});

describe('SSE when pub/sub is silent', () => {
  it('delivers events and the end of the run read from Postgres alone', async () => {
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
    // No worker and no publish: nothing but Postgres knows about this run's progress.
    const run = await h.db.run.create({
      data: { tenantId: tenant.id, kind: 'sync', status: 'running', input: { accountId: 'none' } },
    });
    const session = await login(h.app, 'viewer@demo.dolly');
    const controller = new AbortController();
    const resp = await fetch(`${address}/api/v1/runs/${run.id}/events`, {
      headers: { accept: 'text/event-stream', cookie: session.cookie },
      signal: controller.signal,
    });
    expect(resp.status).toBe(200);
    const reader = resp.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    const messages: string[] = [];
    let ended = false;
    let buffer = '';
    const readUntil = async (done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<{ done: true; value: undefined }>((r) =>
            setTimeout(() => r({ done: true, value: undefined }), Math.max(1, deadline - Date.now())),
          ),
        ]);
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = /^event: run-event\ndata: (.*)$/m.exec(frame)?.[1];
          if (data) messages.push((JSON.parse(data) as { message: string }).message);
          if (/^event: end$/m.test(frame)) ended = true;
        }
      }
    };
    // let the stream's first read of Postgres happen before anything is written
    await new Promise((r) => setTimeout(r, 300));
    await h.db.runEvent.create({
      data: { runId: run.id, level: 'info', message: 'written without a wake-up' },
    });
    await readUntil(() => messages.includes('written without a wake-up'), 10_000);
    expect(messages).toContain('written without a wake-up');

    await h.db.runEvent.create({ data: { runId: run.id, level: 'info', message: 'last words' } });
    await h.db.run.update({ where: { id: run.id }, data: { status: 'succeeded', finishedAt: new Date() } });
    await readUntil(() => ended, 10_000);
    controller.abort();
    expect(messages).toEqual(['written without a wake-up', 'last words']);
    expect(ended).toBe(true);
    await h.db.run.delete({ where: { id: run.id } });
  }, 30_000);
});

/**
 * Live events benchmark, against real Postgres and Redis: the time from a worker appending a run
 * event (the writer the worker uses: a row in Postgres, a wake-up on Redis) to the event arriving at
 * an SSE client of `GET /api/v1/runs/:id/events` over HTTP (what the dashboard's EventSource reads;
 * here a fetch stream parsed the same way, in the same process so one clock times both ends).
 * Events are sent at a steady pace, as a busy run writes them. Goal: p95 ≤ 100 ms.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRedis, createRunEventWriter } from '@dolly/jobs';
import { percentile, reportFigures } from '../../../scripts/lib/bench-figures.ts';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { ensureServices, freshDatabaseUrl } from '../../../scripts/lib/services.ts';
import { migrateAndSeed } from '../../../scripts/lib/stack.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
const EVERY_MS = 10;
const GOAL_P95_MS = 100;
process.env.DOLLY_SECRET_KEYS ??= `bench:${randomBytes(32).toString('base64')}`;

const services = await ensureServices(repoRoot);
const databaseUrl = freshDatabaseUrl(services.databaseUrl, 'dolly_bench_sse');
migrateAndSeed(databaseUrl, { NODE_ENV: 'development' });
process.env.DATABASE_URL = databaseUrl;
process.env.REDIS_URL = services.redisUrl;
process.env.DOLLY_QUEUE_PREFIX = `dolly-bench-${process.pid}`;
const { login, startHarness } = await import('../test/support/harness.ts');

const h = await startHarness({ DOLLY_LOG_LEVEL: 'warn' }, { worker: false });
const workerRedis = createRedis(services.redisUrl, 'bench-worker');
const appendRunEvent = createRunEventWriter(h.db, workerRedis);
let failed = false;
try {
  const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  const run = await h.db.run.create({
    data: { tenantId: tenant.id, kind: 'sync', status: 'running', input: { title: 'SSE benchmark' } },
  });
  const session = await login(h.app, 'viewer@demo.dolly');
  const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const stream = await fetch(`${url}/api/v1/runs/${run.id}/events`, {
    headers: { cookie: session.cookie, accept: 'text/event-stream' },
  });
  if (stream.status !== 200 || !stream.body) throw new Error(`stream: ${stream.status}`);

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const reader = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
      const now = performance.now();
      buffer += decoder.decode(chunk, { stream: true });
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        if (!/^event: run-event$/m.test(frame)) continue;
        const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? '{}') as { data?: { seq?: number } };
        const sent = sentAt.get(data.data?.seq ?? -1);
        if (sent !== undefined) latencies.push(now - sent);
      }
      if (latencies.length === EVENTS) return;
    }
  })();
  await new Promise((r) => setTimeout(r, 200)); // the stream has subscribed
  for (let seq = 0; seq < EVENTS; seq++) {
    const next = performance.now() + EVERY_MS;
    sentAt.set(seq, performance.now());
    await appendRunEvent(run.id, 'info', `event ${seq}`, { data: { seq } });
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.race([
    reader,
    new Promise((_, reject) => setTimeout(() => reject(new Error('events missing after 10 s')), 10_000)),
  ]);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  console.log(`worker event → SSE client, ${EVENTS} events one every ${EVERY_MS} ms:`);
  console.log(
    `  p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (goal p95 ≤ ${GOAL_P95_MS} ms)`,
  );
  reportFigures({ sse_p50_ms: Number(p50.toFixed(1)), sse_p95_ms: Number(p95.toFixed(1)) });
  if (p95 > GOAL_P95_MS) failed = true;
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  workerRedis.disconnect();
  await h.close();
}
process.exit(failed ? 1 : 0);

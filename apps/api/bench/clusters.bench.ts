/**
 * Inventory list benchmark, against real Postgres and Redis: `GET /api/v1/clusters` (first page, as
 * the dashboard asks for it) over HTTP, signed in, with 10,000 clusters × 3 node pools in the
 * tenant's inventory.
 *   - latency: p50 / p99 of requests one at a time. Goal: p99 ≤ 20 ms.
 *   - throughput: req/s with several connections, against a bare Fastify route (same process, same
 *     run, same load) answering a constant JSON body, so the machine's load is in both figures.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Agent, request } from 'node:http';
import { percentile, reportFigures } from '../../../scripts/lib/bench-figures.ts';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { ensureServices, freshDatabaseUrl } from '../../../scripts/lib/services.ts';
import { migrateAndSeed } from '../../../scripts/lib/stack.ts';

const CLUSTERS = 10_000;
const LATENCY_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 8;
const GOAL_P99_MS = 20;
process.env.DOLLY_SECRET_KEYS ??= `bench:${randomBytes(32).toString('base64')}`;

const services = await ensureServices(repoRoot);
const databaseUrl = freshDatabaseUrl(services.databaseUrl, 'dolly_bench_clusters');
migrateAndSeed(databaseUrl, { NODE_ENV: 'development' });
process.env.DATABASE_URL = databaseUrl;
process.env.REDIS_URL = services.redisUrl;
process.env.DOLLY_QUEUE_PREFIX = `dolly-bench-${process.pid}`;
const { login, startHarness } = await import('../test/support/harness.ts');

const h = await startHarness({ DOLLY_LOG_LEVEL: 'warn' }, { worker: false });
const bare = Fastify();
bare.get('/bare', async () => ({ items: [], nextCursor: null }));

/** Keep-alive connections to one server, as a browser or a load generator holds them. */
class Pool {
  private readonly agent: Agent;
  constructor(
    private readonly base: string,
    opts: { connections: number },
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  }
  request(opts: { method: 'GET'; path: string; headers: Record<string, string> }) {
    return new Promise<{
      statusCode: number;
      body: { text(): Promise<string>; json(): Promise<unknown>; dump(): Promise<void> };
    }>((resolve, reject) => {
      const req = request(
        `${this.base}${opts.path}`,
        { method: opts.method, headers: opts.headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              statusCode: res.statusCode ?? 0,
              body: {
                text: async () => text,
                json: async () => JSON.parse(text) as unknown,
                dump: async () => {},
              },
            });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
  async close() {
    this.agent.destroy();
  }
}

/** Requests one after another; returns each one's milliseconds. */
async function sequential(pool: Pool, path: string, headers: Record<string, string>, n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await pool.request({ method: 'GET', path, headers });
    const body = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`);
    times.push(performance.now() - t);
  }
  return times;
}

/** Closed loop: CONNECTIONS requests in flight for `seconds`; returns requests per second. */
async function throughput(pool: Pool, path: string, headers: Record<string, string>, seconds: number) {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        const res = await pool.request({ method: 'GET', path, headers });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode}`);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

let failed = false;
try {
  const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  const account = await h.db.cloudAccount.create({
    data: {
      tenantId: tenant.id,
      name: 'Bench AWS',
      cloud: 'aws',
      scope: '999999999999',
      credentialKind: 'aws-access-key',
      regions: ['us-east-1'],
    },
  });
  const seedStart = performance.now();
  for (let from = 0; from < CLUSTERS; from += 1_000) {
    const clusters = Array.from({ length: 1_000 }, (_, j) => {
      const i = from + j;
      const name = `bench-${String(i).padStart(5, '0')}`;
      const pools = [0, 1, 2].map((p) => ({
        name: `pool-${p}`,
        machineType: 'm6i.large',
        nodeCount: 2 + p,
        mode: p === 0 ? 'system' : 'user',
        labels: { workload: `w${p}` },
        zones: ['us-east-1a', 'us-east-1b'],
      }));
      return {
        tenantId: tenant.id,
        accountId: account.id,
        cloud: 'aws' as const,
        scope: '999999999999',
        location: 'us-east-1',
        name,
        kubernetesVersion: '1.33',
        status: 'ACTIVE',
        environment: i % 5 === 0 ? 'prod' : 'dev',
        environmentSource: 'label',
        labels: { env: i % 5 === 0 ? 'prod' : 'dev', team: `team-${i % 17}` },
        spec: { name, location: 'us-east-1', kubernetesVersion: '1.33', nodePools: pools },
        pools,
      };
    });
    await h.db.cluster.createMany({ data: clusters.map(({ pools: _, ...c }) => c) });
    const ids = await h.db.cluster.findMany({
      where: { accountId: account.id, name: { in: clusters.map((c) => c.name) } },
      select: { id: true, name: true },
    });
    const byName = new Map(clusters.map((c) => [c.name, c.pools]));
    await h.db.nodePool.createMany({
      data: ids.flatMap((c) =>
        (byName.get(c.name) ?? []).map((p) => ({
          clusterId: c.id,
          name: p.name,
          machineType: p.machineType,
          nodeCount: p.nodeCount,
          spec: p,
        })),
      ),
    });
  }
  // A steady inventory has planner statistics and no dead tuples; a fresh bulk load has neither, and
  // autovacuum catching up mid-measurement would be the figure instead of the route.
  await h.db.$executeRawUnsafe('VACUUM ANALYZE "Cluster", "NodePool", "CloudAccount"');
  const total = await h.db.cluster.count({ where: { tenantId: tenant.id, vanishedAt: null } });
  console.log(
    `inventory: ${total} clusters, ${await h.db.nodePool.count()} node pools (stored in ${((performance.now() - seedStart) / 1000).toFixed(1)} s)`,
  );

  const session = await login(h.app, 'viewer@demo.dolly');
  const apiUrl = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const api = new Pool(apiUrl, { connections: CONNECTIONS });
  const bareApi = new Pool(bareUrl, { connections: CONNECTIONS });
  const headers = { cookie: session.cookie };
  const path = '/api/v1/clusters';

  const first = await api.request({ method: 'GET', path, headers });
  const page = (await first.body.json()) as { items: unknown[]; nextCursor: string | null };
  if (page.items.length !== 200 || !page.nextCursor) throw new Error('expected a full first page of 200');

  await sequential(api, path, headers, 50); // warm-up: JIT, Prisma's connection pool, Postgres caches
  const times = await sequential(api, path, headers, LATENCY_REQUESTS);
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  await sequential(bareApi, '/bare', {}, 200);
  const bareTimes = await sequential(bareApi, '/bare', {}, LATENCY_REQUESTS);

  const apiRps = await throughput(api, path, headers, THROUGHPUT_SECONDS);
  const bareRps = await throughput(bareApi, '/bare', {}, THROUGHPUT_SECONDS);
  console.log(`GET ${path} (page of 200 of ${total}), ${LATENCY_REQUESTS} requests one at a time:`);
  console.log(
    `  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (goal p99 ≤ ${GOAL_P99_MS} ms)`,
  );
  console.log(
    `  bare Fastify route: p50 ${percentile(bareTimes, 50).toFixed(2)} ms, p99 ${percentile(bareTimes, 99).toFixed(2)} ms`,
  );
  console.log(`throughput, ${CONNECTIONS} connections for ${THROUGHPUT_SECONDS} s each:`);
  console.log(
    `  ${path} ${apiRps.toFixed(0)} req/s, bare route ${bareRps.toFixed(0)} req/s = ${((apiRps / bareRps) * 100).toFixed(1)} % of bare`,
  );
  reportFigures({
    clusters_p50_ms: Number(p50.toFixed(1)),
    clusters_p99_ms: Number(p99.toFixed(1)),
    clusters_rps: Math.round(apiRps),
    clusters_rps_ratio_to_bare: Number((apiRps / bareRps).toFixed(3)),
  });
  if (p99 > GOAL_P99_MS) failed = true;
  await api.close();
  await bareApi.close();
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await bare.close();
  await h.close();
}
process.exit(failed ? 1 : 0);

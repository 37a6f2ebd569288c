import { scrapeAccess } from '@dolly/authz';
import { createServer } from 'node:http';
import { CloudError } from '@dolly/providers';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What operators watch: step and cloud call durations, cloud errors and throttles, run outcomes. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dolly_worker_' });
  const buckets = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 2400];
  return {
    registry,
    stepDuration: new Histogram({
      name: 'dolly_step_duration_seconds',
      help: 'Run step durations by run kind, cloud, operation (step key without its subject) and outcome',
      labelNames: ['kind', 'cloud', 'operation', 'outcome'] as const,
      buckets,
      registers: [registry],
    }),
    cloudCallDuration: new Histogram({
      name: 'dolly_cloud_call_duration_seconds',
      help: 'Provider operation durations by cloud and operation',
      labelNames: ['cloud', 'operation'] as const,
      buckets,
      registers: [registry],
    }),
    cloudErrors: new Counter({
      name: 'dolly_cloud_errors_total',
      help: 'Cloud API errors by cloud, operation and class (throttled, quota, rejected, ...)',
      labelNames: ['cloud', 'operation', 'class'] as const,
      registers: [registry],
    }),
    runsFinished: new Counter({
      name: 'dolly_runs_finished_total',
      help: 'Runs that reached a final state, by kind and state',
      labelNames: ['kind', 'status'] as const,
      registers: [registry],
    }),
    tenantWaits: new Counter({
      name: 'dolly_tenant_limit_waits_total',
      help: 'Times a run was put back to wait because its tenant was at DOLLY_TENANT_CONCURRENCY',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

export function observeCloudCall(
  metrics: WorkerMetrics,
  call: { cloud: string; operation: string; ms: number; error?: unknown },
) {
  metrics.cloudCallDuration.observe({ cloud: call.cloud, operation: call.operation }, call.ms / 1000);
  if (call.error instanceof CloudError)
    metrics.cloudErrors.inc({ cloud: call.cloud, operation: call.error.operation, class: call.error.class });
}

/**
 * A bare listener: the worker has no HTTP API, only this scrape endpoint and /healthz, which answers
 * while the event loop does (a liveness probe restarts a wedged worker; its runs resume elsewhere).
 */
export function serveMetrics(metrics: WorkerMetrics, port: number, token?: string) {
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const access = scrapeAccess({
      token,
      socketAddress: req.socket.remoteAddress,
      authorization: req.headers.authorization,
    });
    if (!access.ok) {
      res.writeHead(access.status, { 'content-type': 'text/plain' }).end(access.reason);
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  server.listen(port);
  return server;
}

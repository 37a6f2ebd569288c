import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.ts';
import { createWorkerMetrics, serveMetrics } from './metrics.ts';

/**
 * The worker's scrape listener binds every interface (a Prometheus in the next container must reach
 * it), so who may read it is decided per request: loopback only, unless a token is configured.
 * A request to this host's own non-loopback address arrives from that address, as a scraper's would.
 */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

let close: (() => void) | undefined;
afterEach(() => close?.());

async function listen(token?: string) {
  const server = serveMetrics(createWorkerMetrics(), 0, token);
  await once(server, 'listening');
  close = () => server.close();
  return (server.address() as AddressInfo).port;
}

describe('worker /metrics', () => {
  it('has no token by default', () => {
    const config = loadWorkerConfig({
      DATABASE_URL: 'postgresql://x/y',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.DOLLY_METRICS_TOKEN).toBeUndefined();
  });

  it.skipIf(!external)('answers loopback only without a token', async () => {
    const port = await listen(undefined);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    const outside = await fetch(`http://${external}:${port}/metrics`);
    expect(outside.status).toBe(403);
    expect(await outside.text()).not.toMatch(/dolly_/);
    // liveness stays open to the probe
    expect((await fetch(`http://${external}:${port}/healthz`)).status).toBe(200);
  });

  it.skipIf(!external)('answers anyone with the token, and no one without it', async () => {
    const token = 'scrape-token-0123456789';
    const port = await listen(token);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const withToken = await fetch(`http://${external}:${port}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toMatch(/dolly_/);
  });
});

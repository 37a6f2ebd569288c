/**
 * The sandbox clouds in a process of their own for the runs benchmark. A real cloud answers from
 * elsewhere: sharing Dolly's event loop, the sandbox's own work (signing checks, state, the kube
 * hub) was counted as Dolly's, and more so the more clusters were in flight. The benchmark drives
 * it over IPC: seed a fleet, set the latency, stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudModule } from '../../../sandbox/src/context.ts';
import { type FleetAccount, seedDemoFleet } from '../../../sandbox/src/demo-fleet.ts';
import { loadSandboxParts } from '../../../sandbox/src/parts.ts';
import { startSandbox } from '../../../sandbox/src/server.ts';

export type SandboxRequest =
  | { id: number; op: 'seed'; fleet: FleetAccount[] }
  | { id: number; op: 'latency'; ms: number }
  | { id: number; op: 'stop' };
export type SandboxMessage =
  | { op: 'ready'; urls: { http: string; https: string } }
  | { id: number; ok: true; failed?: string[] }
  | { id: number; ok: false; error: string };

const speed = Number(process.env.BENCH_SANDBOX_SPEED ?? 60);
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const send = (m: SandboxMessage) => process.send?.(m);

let modules: CloudModule[] = [];
const parts = await loadSandboxParts();
const dataDir = mkdtempSync(join(tmpdir(), 'dolly-bench-sandbox-'));
const sandbox = await startSandbox({
  port: 0,
  tlsPort: 0,
  host: '127.0.0.1',
  dataDir,
  speed,
  seed: true,
  logger: quiet,
  tickMs: 20,
  persistDebounceMs: 5000,
  modules: (ctx) => {
    modules = parts.modules(ctx);
    return modules;
  },
});

process.on('message', async (m: SandboxRequest) => {
  try {
    if (m.op === 'seed') send({ id: m.id, ok: true, failed: seedDemoFleet(modules, quiet, m.fleet).failed });
    else if (m.op === 'latency') {
      sandbox.setLatency(m.ms);
      send({ id: m.id, ok: true });
    } else if (m.op === 'stop') {
      await sandbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
      send({ id: m.id, ok: true });
      process.disconnect();
    }
  } catch (error) {
    send({ id: m.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
// the benchmark gone (crashed, killed): nothing left to serve
process.on('disconnect', () => process.exit(0));
send({ op: 'ready', urls: sandbox.urls });

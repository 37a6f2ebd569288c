/** The benchmark's side of sandbox-process.ts: start it, then seed, set latency and stop over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetAccount } from '../../../sandbox/src/demo-fleet.ts';
import type { SandboxMessage, SandboxRequest } from './sandbox-process.ts';

type Op = SandboxRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;

export interface SandboxProcess {
  urls: { http: string; https: string };
  seedFleet(fleet: FleetAccount[]): Promise<{ failed: string[] }>;
  setLatency(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandboxProcess(speed: number): Promise<SandboxProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./sandbox-process.ts', import.meta.url)), [], {
    env: { ...process.env, BENCH_SANDBOX_SPEED: String(speed) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (m: SandboxMessage) => void>();
  const urls = await new Promise<{ http: string; https: string }>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the sandbox process exited (${code}) before it was ready`)),
    );
    child.on('message', (m: SandboxMessage) => {
      if ('op' in m) resolve(m.urls);
      else pending.get(m.id)?.(m);
    });
  });
  let next = 0;
  const call = (op: Op, body: Record<string, unknown> = {}) =>
    new Promise<SandboxMessage>((resolve, reject) => {
      const id = ++next;
      pending.set(id, (m) => {
        pending.delete(id);
        if ('ok' in m && !m.ok) reject(new Error(`sandbox ${op}: ${m.error}`));
        else resolve(m);
      });
      child.send({ id, op, ...body } as SandboxRequest);
    });
  return {
    urls,
    async seedFleet(fleet) {
      const m = await call('seed', { fleet });
      return { failed: 'failed' in m ? (m.failed ?? []) : [] };
    },
    async setLatency(ms) {
      await call('latency', { ms });
    },
    async stop() {
      if (!child.connected) return;
      await call('stop');
    },
  };
}

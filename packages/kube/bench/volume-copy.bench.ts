// Volume copy benchmark: a 2 GiB volume through the migration's copy data path (`streamVolumeData`:
// tar from the source mover → throttle → tar into the target mover, over the Kubernetes exec
// websocket) while this process's RSS is sampled. The movers run in a child process
// (bench/support/exec-endpoint-main.ts) that generates the source tar and hashes what arrives, so
// neither end holds the volume; the target reads only while the source cannot send, the worst case
// for buffering. Figures: copy_mem_mb, how far this process's RSS rose above its level just before
// the copy (sampled every 20 ms; goal ≤ 200), copy_rss_peak_mb, the peak RSS itself, and
// copy_mb_per_s. The goal is on the rise, not the peak: tsx and @kubernetes/client-node alone put
// the process at about 205 MiB before a byte moves (a worker loads them too), which says nothing
// about the copy.
// Run: pnpm bench volume-copy  (BENCH_VOLUME_MB=256 for a quick run; BENCH_FAST_TARGET=1 for a
// target that reads as fast as it can; exits 1 when the goal is missed or the data differs)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { reportFigures } from '../../../scripts/lib/bench-figures.ts';
import { createKubeClient } from '../src/client.ts';
import { streamVolumeData } from '../src/volume-stream.ts';
import type { ExecEndpointStats } from '../test/support/exec-endpoint.ts';

const MiB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_VOLUME_MB ?? 2048);
const GOAL_MEM_MB = 200;
const SAMPLE_MS = 20;

const movers = fork(
  fileURLToPath(new URL('./support/exec-endpoint-main.ts', import.meta.url)),
  [String(VOLUME_MB * MiB), process.env.BENCH_FAST_TARGET ? 'fast' : 'slow'],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
const next = async <T>(key: string): Promise<T> => {
  for (;;) {
    const [m] = (await once(movers, 'message')) as [Record<string, unknown>];
    if (key in m) return m[key] as T;
  }
};
try {
  const kubeconfig = await next<string>('kubeconfig');
  const client = createKubeClient(kubeconfig);
  let peak = process.memoryUsage.rss();
  const before = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  const start = performance.now();
  const bytes = await streamVolumeData(
    { client, pod: { namespace: 'default', name: 'source-mover' } },
    { client, pod: { namespace: 'default', name: 'target-mover' } },
    {},
  );
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  movers.send('stats');
  const stats = await next<ExecEndpointStats>('stats');
  const intact = stats.targetSha256 !== undefined && stats.targetSha256 === stats.sourceSha256;
  const memMb = (peak - before) / MiB;
  const rate = bytes / MiB / seconds;
  console.log(
    `volume: ${VOLUME_MB} MiB, one file, ${process.env.BENCH_FAST_TARGET ? 'fast' : 'slow'} target; ${bytes} tar bytes in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} MiB/s`,
  );
  console.log(
    `RSS of the copying process: ${(before / MiB).toFixed(0)} MiB before the copy, peak ${(peak / MiB).toFixed(0)} MiB: +${memMb.toFixed(0)} MiB (goal ≤ ${GOAL_MEM_MB}); at most ${(stats.maxInFlight / MiB).toFixed(1)} MiB in flight between the movers`,
  );
  console.log(
    `sha256: source ${stats.sourceSha256}, target ${stats.targetSha256 ?? 'none'}${intact ? '' : ' — MISMATCH'}`,
  );
  reportFigures({
    copy_mem_mb: Math.round(memMb),
    copy_rss_peak_mb: Math.round(peak / MiB),
    copy_mb_per_s: Math.round(rate),
  });
  if (memMb > GOAL_MEM_MB || !intact) process.exitCode = 1;
} finally {
  movers.disconnect();
}

/**
 * The data path of a volume copy: `tar cf -` in the source mover → this process (throttled,
 * counted) → `tar xf -` in the target mover. Flow-controlled end to end: the throttle's buffers are
 * the only ones between the two exec sockets, and each side stops reading or sending when the next
 * one is full (exec-stream.ts), so the bytes held here stay bounded however slow the target is.
 */
import { Transform } from 'node:stream';
import type { KubeClient } from './client.ts';
import { execInPod } from './exec-stream.ts';
import { realClock } from './rate-limit.ts';

/** where the mover pods mount the claim */
export const MOUNT = '/data';
/** the most bytes the throttle holds on each of its sides before its neighbours must wait */
const PIPE_HIGH_WATER_MARK = 256 * 1024;

/** Bytes through at no more than `bytesPerSec` (none: as fast as they come), counting as they pass. */
export function throttle(bytesPerSec: number | undefined, onBytes: (total: number) => void): Transform {
  let sent = 0;
  const start = performance.now();
  const piece = 64 * 1024;
  return new Transform({
    highWaterMark: PIPE_HIGH_WATER_MARK,
    transform(chunk: Buffer, _enc, done) {
      void (async () => {
        for (let off = 0; off < chunk.length; off += piece) {
          const part = chunk.subarray(off, off + piece);
          if (bytesPerSec) {
            const due = start + ((sent + part.length) / bytesPerSec) * 1000;
            const wait = due - performance.now();
            if (wait > 0) await realClock.sleep(wait);
          }
          sent += part.length;
          this.push(part);
          onBytes(sent);
        }
      })().then(() => done(), done);
    },
  });
}

export interface MoverEnd {
  client: KubeClient;
  pod: { namespace: string; name: string; container?: string };
}

/** Streams the source mover's files into the target mover; resolves with the bytes moved. */
export async function streamVolumeData(
  source: MoverEnd,
  target: MoverEnd,
  opts: { bandwidthBytesPerSec?: number; signal?: AbortSignal },
  progress: (bytes: number) => void = () => {},
): Promise<number> {
  opts.signal?.throwIfAborted();
  let bytes = 0;
  const pipe = throttle(opts.bandwidthBytesPerSec, (n) => {
    bytes = n;
    progress(n);
  });
  // one side failing must stop the other: a target waiting for stdin that never ends would hang
  const both = new AbortController();
  const cancel = () => both.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', cancel, { once: true });
  const stopOtherOnError = <T>(p: Promise<T>) =>
    p.catch((e: unknown) => {
      both.abort(e);
      throw e;
    });
  try {
    const [sent, received] = await Promise.all([
      stopOtherOnError(
        execInPod(
          source.client,
          source.pod,
          ['tar', 'cf', '-', '-C', MOUNT, '.'],
          { stdout: pipe },
          both.signal,
        ),
      ),
      stopOtherOnError(
        execInPod(target.client, target.pod, ['tar', 'xf', '-', '-C', MOUNT], { stdin: pipe }, both.signal),
      ),
    ]);
    if (sent.code !== 0)
      throw new Error(`tar in the source mover failed (exit ${sent.code}): ${sent.stderr.trim()}`);
    if (received.code !== 0)
      throw new Error(`tar in the target mover failed (exit ${received.code}): ${received.stderr.trim()}`);
    return bytes;
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
  }
}

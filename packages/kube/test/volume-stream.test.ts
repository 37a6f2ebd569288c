/**
 * The volume copy's data path is flow-controlled: a fast source and a target that reads only when
 * the source is stuck keep the bytes in flight bounded (socket buffers plus a few pipe buffers),
 * instead of the whole volume piling up in this process; cancel still stops it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '../src/client.ts';
import { streamVolumeData } from '../src/volume-stream.ts';
import { type ExecEndpoint, startExecEndpoint } from './support/exec-endpoint.ts';

const MiB = 1024 * 1024;
let endpoint: ExecEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function movers(volumeBytes: number, targetFailsAfter?: number) {
  endpoint = await startExecEndpoint({
    volumeBytes,
    slowTarget: true,
    ...(targetFailsAfter !== undefined ? { targetFailsAfter } : {}),
  });
  const client = createKubeClient(endpoint.kubeconfig);
  return {
    source: { client, pod: { namespace: 'default', name: 'source' } },
    target: { client, pod: { namespace: 'default', name: 'target' } },
  };
}

describe('volume data stream', () => {
  it('holds the source back while the target is slow: bytes in flight stay bounded, data arrives intact', async () => {
    const volume = 96 * MiB;
    const { source, target } = await movers(volume);
    const bytes = await streamVolumeData(source, target, {});
    const stats = endpoint!.stats();
    expect(stats.received).toBe(stats.sent);
    expect(bytes).toBe(stats.sent);
    expect(stats.targetSha256).toBe(stats.sourceSha256);
    // kernel socket buffers on loopback can take several MiB each; everything else is ours
    expect(stats.maxInFlight).toBeLessThan(24 * MiB);
  });

  it('stops when cancelled mid-copy', async () => {
    const { source, target } = await movers(96 * MiB);
    const cancel = new AbortController();
    const copy = streamVolumeData(source, target, { signal: cancel.signal }, (n) => {
      if (n > 8 * MiB) cancel.abort(new Error('cancelled by the test'));
    });
    await expect(copy).rejects.toThrow('cancelled by the test');
    expect(endpoint!.stats().targetSha256).toBeUndefined();
  });

  it('reports a target that fails mid-copy, and the source it no longer reads does not hang the copy', async () => {
    const { source, target } = await movers(64 * MiB, 4 * MiB);
    await expect(streamVolumeData(source, target, {})).rejects.toThrow(
      'tar in the target mover failed (exit 2): tar: write error: No space left on device',
    );
  });
});

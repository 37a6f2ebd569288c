import { ApiError } from '@dolly/api-client';
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunStatus } from '../api/types.ts';
import { colors } from '../output/colors.ts';
import { cloneEvents, failedRun, queuedRun, sseText, streamResponse } from './fixtures/clone-run.ts';
import { followRunEvents } from './sse.ts';
import { watchRuns } from './watch-runs.ts';

const noSleep = async () => {};

describe('following a run over SSE', () => {
  it('reconnects with Last-Event-ID after a drop and skips replayed events', async () => {
    const opened: (string | undefined)[] = [];
    const got: string[] = [];
    const statuses: RunStatus[] = [];
    const outcome = await followRunEvents({
      open: async (lastEventId) => {
        opened.push(lastEventId);
        // First connection drops after four events; the server replays from the id it is given,
        // and this one even overlaps by one event.
        return opened.length === 1
          ? streamResponse(sseText(cloneEvents.slice(0, 4), 'running'))
          : streamResponse(sseText(cloneEvents.slice(3), 'failed', true));
      },
      onEvent: (e: RunEvent) => got.push(e.id),
      onStatus: (s) => statuses.push(s),
      signal: new AbortController().signal,
      sleep: noSleep,
    });
    expect(outcome).toBe('ended');
    expect(opened).toEqual([undefined, cloneEvents[3]!.id]);
    expect(got).toEqual(cloneEvents.map((e) => e.id));
    expect(statuses).toEqual(['running', 'failed']);
  });

  it('retries a failing connection and gives up after the limit', async () => {
    let calls = 0;
    await expect(
      followRunEvents({
        open: async () => {
          calls++;
          throw new TypeError('fetch failed');
        },
        onEvent: () => {},
        onStatus: () => {},
        signal: new AbortController().signal,
        sleep: noSleep,
        maxFailures: 3,
      }),
    ).rejects.toThrow('fetch failed');
    expect(calls).toBe(3);
  });

  it('re-reads the run when the stream stays quiet after the last event, and stops when it is final', async () => {
    let rechecks = 0;
    const got: string[] = [];
    const outcome = await followRunEvents({
      // The closing event arrives, but `end` never does: the stream stays open and silent.
      open: async (_lastEventId, signal) =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(sseText(cloneEvents.slice(0, 2))));
              signal.addEventListener('abort', () =>
                controller.error(new DOMException('aborted', 'AbortError')),
              );
            },
          }),
        ),
      onEvent: (e) => got.push(e.id),
      onStatus: () => {},
      signal: new AbortController().signal,
      sleep: noSleep,
      recheck: {
        quietMs: 40,
        isFinished: async () => ++rechecks >= 2,
      },
    });
    expect(outcome).toBe('ended');
    expect(got).toHaveLength(2);
    expect(rechecks).toBe(2);
  });

  it('does not retry an unknown run', async () => {
    let calls = 0;
    await expect(
      followRunEvents({
        open: async () => {
          calls++;
          throw new ApiError(404, { title: 'Not found', status: 404, code: 'not_found' });
        },
        onEvent: () => {},
        onStatus: () => {},
        signal: new AbortController().signal,
        sleep: noSleep,
      }),
    ).rejects.toThrow(ApiError);
    expect(calls).toBe(1);
  });
});

describe('watchRuns', () => {
  it('prints plain progress when not on a terminal and returns the final run', async () => {
    const lines: string[] = [];
    let gets = 0;
    const result = await watchRuns({
      api: {
        getRun: async () => (gets++ === 0 ? queuedRun : failedRun),
        openRunEvents: async () => streamResponse(sseText(cloneEvents, 'failed', true)),
      },
      runIds: [queuedRun.id],
      out: { write: (t: string) => lines.push(t) },
      live: false,
      pc: colors(false),
      signal: new AbortController().signal,
    });
    expect(result.interrupted).toBe(false);
    expect(result.runs.map((r) => r.status)).toEqual(['failed']);
    const text = lines.join('');
    expect(text).toMatch(/^Clone shop-prod .*: ○ Queued\n/);
    expect(text).toContain('✔ control-plane succeeded in 8.0s\n');
    expect(text).toContain(
      '✖ node-pool:gpu failed after 3.0s: ResourceLimitExceeded: no p3.2xlarge capacity\n',
    );
    expect(text).toMatch(/✖ Failed in 11\.5s: Clone shop-prod .*\n {2}node-pool:gpu: ResourceLimitExceeded/);
  });
});

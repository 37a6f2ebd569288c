import { ApiError } from '@dolly/api-client';
import { createParser } from 'eventsource-parser';
import type { RunEvent, RunStatus } from '../api/types.ts';

export interface FollowOptions {
  /** Opens the stream (GET /runs/{id}/events, Accept: text/event-stream) resuming after an event id. */
  open: (lastEventId: string | undefined, signal: AbortSignal) => Promise<Response>;
  onEvent: (event: RunEvent) => void;
  onStatus: (status: RunStatus) => void;
  signal: AbortSignal;
  lastEventId?: string;
  /** Consecutive failed connections before giving up. */
  maxFailures?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Re-reads the run when the stream goes quiet (and right after a closing event): a final status
   * that lands after the last event can leave a stream without its `end`; the database is the truth.
   */
  recheck?: { quietMs: number; isFinished: () => Promise<boolean> };
}

const CLOSING = new Set([
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
  'rolled_back',
  'rejected',
]);
const isClosing = (event: RunEvent): boolean => {
  const status = (event.data as { status?: unknown } | undefined)?.status;
  return !event.stepKey && typeof status === 'string' && CLOSING.has(status);
};

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const newer = (id: string, than: string | undefined): boolean => {
  if (than === undefined) return true;
  try {
    return BigInt(id) > BigInt(than);
  } catch {
    return true;
  }
};

/**
 * Follows a run's SSE stream until the server says `event: end`. A dropped connection reconnects
 * with Last-Event-ID (the server replays from Postgres, so nothing is lost) after the server's
 * `retry:` delay; events at or before the last id seen are ignored in case a replay overlaps.
 */
export async function followRunEvents(opts: FollowOptions): Promise<'ended' | 'aborted'> {
  const sleep = opts.sleep ?? defaultSleep;
  const maxFailures = opts.maxFailures ?? 8;
  let lastId = opts.lastEventId;
  let retryMs = 2000;
  let failures = 0;
  while (!opts.signal.aborted) {
    let ended = false;
    const connection = new AbortController();
    const abortConnection = () => connection.abort();
    opts.signal.addEventListener('abort', abortConnection, { once: true });
    let lastMessageAt = Date.now();
    let checking = false;
    const check = async () => {
      if (!opts.recheck || checking || ended) return;
      checking = true;
      try {
        if (await opts.recheck.isFinished()) {
          ended = true;
          connection.abort();
        }
      } catch {
        // A failed re-read is not a verdict; the stream or the next re-read decides.
      } finally {
        checking = false;
      }
    };
    const quiet = opts.recheck
      ? setInterval(
          () => {
            if (Date.now() - lastMessageAt >= opts.recheck!.quietMs) void check();
          },
          Math.max(50, Math.floor(opts.recheck.quietMs / 2)),
        )
      : undefined;
    try {
      const res = await opts.open(lastId, connection.signal);
      if (!res.body) throw new Error('the event stream has no body');
      failures = 0;
      const parser = createParser({
        onRetry: (ms) => {
          retryMs = ms;
        },
        onEvent: (message) => {
          lastMessageAt = Date.now();
          if (message.event === 'end') {
            ended = true;
            connection.abort();
            return;
          }
          if (message.event === 'run-status') {
            const status = (JSON.parse(message.data) as { status?: RunStatus }).status;
            if (status) opts.onStatus(status);
            return;
          }
          if (message.event === 'run-event' || message.event === undefined) {
            const event = JSON.parse(message.data) as RunEvent;
            const id = message.id ?? event.id;
            if (!newer(id, lastId)) return;
            lastId = id;
            opts.onEvent(event);
            // The closing event ("Run succeeded") carries the final status: confirm it promptly.
            if (isClosing(event)) setTimeout(() => void check(), 250);
          }
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (ended) break;
      }
    } catch (error) {
      if (ended) return 'ended';
      if (opts.signal.aborted) return 'aborted';
      // Client errors (unknown run, revoked token) do not get better by reconnecting.
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) throw error;
      failures++;
      if (failures >= maxFailures) throw error;
    } finally {
      if (quiet) clearInterval(quiet);
      opts.signal.removeEventListener('abort', abortConnection);
    }
    if (ended) return 'ended';
    if (opts.signal.aborted) return 'aborted';
    // Stream closed without `end` (server restart, proxy timeout): resume after the last event.
    await sleep(failures > 0 ? Math.min(retryMs * 2 ** (failures - 1), 30_000) : retryMs);
  }
  return 'aborted';
}

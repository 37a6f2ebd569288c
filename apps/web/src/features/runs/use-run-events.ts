import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { compareEventIds, mergeEvents, type RunEvent } from '../../lib/run-events.ts';
import { runQueryKey } from '../../lib/runs.ts';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended';

const REFRESH_MS = 300;
const FLUSH_MS = 50;

/**
 * The run's events over SSE. Events are also an invalidation signal: the run is re-read from the
 * API (at most every 300 ms), so a missed message can never leave the page wrong.
 *
 * Reconnects: EventSource retries by itself after a network blip and sends Last-Event-ID, so the
 * server replays only what was missed. When the browser gives up (an HTTP error closes the source)
 * we reopen it with `?after=<last id>`. Either way an event may arrive twice; mergeEvents keeps one.
 */
export function useRunEvents(runId: string) {
  const client = useQueryClient();
  const [events, setEvents] = useState<readonly RunEvent[]>([]);
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    setEvents([]);
    setState('connecting');
    let source: EventSource | undefined;
    let stopped = false;
    let lastId: string | undefined;
    let attempts = 0;
    let buffer: RunEvent[] = [];
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const later = (fn: () => void, ms: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
      return t;
    };
    let refreshPending = false;
    const refresh = () => {
      if (refreshPending) return;
      refreshPending = true;
      later(() => {
        refreshPending = false;
        void client.invalidateQueries({ queryKey: runQueryKey(runId) });
      }, REFRESH_MS);
    };
    // A replay can deliver hundreds of events at once: render them in batches, not one by one.
    let flushPending = false;
    const enqueue = (event: RunEvent) => {
      buffer.push(event);
      if (flushPending) return;
      flushPending = true;
      later(() => {
        flushPending = false;
        const batch = buffer;
        buffer = [];
        setEvents((previous) => mergeEvents(previous, batch));
      }, FLUSH_MS);
    };

    const open = () => {
      const url = `/api/v1/runs/${runId}/events${lastId ? `?after=${lastId}` : ''}`;
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        attempts = 0;
        setState('live');
      };
      es.onerror = () => {
        if (stopped) return;
        setState('reconnecting');
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          attempts += 1;
          later(open, Math.min(30_000, 1000 * 2 ** Math.min(attempts, 5)));
        }
      };
      es.addEventListener('run-event', (message) => {
        const event = JSON.parse((message as MessageEvent<string>).data) as RunEvent;
        if (!lastId || compareEventIds(event.id, lastId) > 0) lastId = event.id;
        enqueue(event);
        refresh();
      });
      es.addEventListener('run-status', refresh);
      es.addEventListener('end', () => {
        stopped = true;
        es.close();
        setState('ended');
        refresh();
      });
    };
    open();
    return () => {
      stopped = true;
      source?.close();
      for (const t of timers) clearTimeout(t);
    };
  }, [runId, client]);

  return { events, state };
}

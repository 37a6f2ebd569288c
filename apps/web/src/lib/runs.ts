import type { RunDto, RunEventDto, RunStatus } from '@dolly/contracts';
import { runStatuses } from '@dolly/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from './api.ts';

export function useRun(runId: string) {
  return useQuery({ queryKey: ['run', runId], queryFn: () => api<RunDto>(`/api/v1/runs/${runId}`) });
}

/**
 * Live events over SSE. Events are also an invalidation signal: each one re-reads the run from
 * the API, so a missed message can never leave the page wrong. EventSource reconnects by itself
 * and sends Last-Event-ID, so a network blip replays what was missed.
 */
export function useRunEvents(runId: string) {
  const client = useQueryClient();
  const [events, setEvents] = useState<RunEventDto[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    setEvents([]);
    const source = new EventSource(`/api/v1/runs/${runId}/events`);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('run-event', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as RunEventDto;
      setEvents((previous) => (previous.some((e) => e.id === event.id) ? previous : [...previous, event]));
      void client.invalidateQueries({ queryKey: ['run', runId] });
    });
    source.addEventListener('end', () => {
      source.close();
      setConnected(false);
      void client.invalidateQueries({ queryKey: ['run', runId] });
    });
    return () => source.close();
  }, [runId, client]);
  return { events, connected };
}

export function statusInfo(status: RunStatus) {
  return runStatuses[status];
}

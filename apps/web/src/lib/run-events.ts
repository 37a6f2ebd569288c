import type { Schemas } from '@dolly/api-client';

export type RunEvent = Schemas['RunEvent'];

/** Event ids are monotonic integers sent as strings (bigint in Postgres): compare them as such. */
export function compareEventIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Adds events to the log once each, in id order. A reconnect replays from Last-Event-ID, a manual
 * reconnect from `?after=`, and React may mount twice: any of them can deliver an event again.
 * Returns the same array when nothing is new, so React skips the render.
 */
export function mergeEvents(
  existing: readonly RunEvent[],
  incoming: readonly RunEvent[],
): readonly RunEvent[] {
  if (incoming.length === 0) return existing;
  const seen = new Set(existing.map((e) => e.id));
  const fresh: RunEvent[] = [];
  for (const event of incoming) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    fresh.push(event);
  }
  if (fresh.length === 0) return existing;
  const last = existing.at(-1);
  const inOrder =
    (!last || fresh.every((e) => compareEventIds(e.id, last.id) > 0)) &&
    fresh.every((e, i) => i === 0 || compareEventIds((fresh[i - 1] as RunEvent).id, e.id) < 0);
  const merged = [...existing, ...fresh];
  return inOrder ? merged : merged.sort((a, b) => compareEventIds(a.id, b.id));
}

export interface StepProgress {
  phase: string;
  percent?: number;
}

function progressOf(data: unknown): StepProgress | undefined {
  if (!data || typeof data !== 'object' || !('progress' in data)) return undefined;
  const progress = (data as { progress: unknown }).progress;
  if (!progress || typeof progress !== 'object') return undefined;
  const { phase, percent } = progress as { phase?: unknown; percent?: unknown };
  if (typeof phase !== 'string') return undefined;
  return typeof percent === 'number' ? { phase, percent } : { phase };
}

/** The latest progress event ({progress: {phase, percent?}}) of each step. */
export function latestProgressByStep(events: readonly RunEvent[]): Map<string, StepProgress> {
  const out = new Map<string, StepProgress>();
  for (const event of events) {
    if (!event.stepKey) continue;
    const progress = progressOf(event.data);
    if (progress) out.set(event.stepKey, progress);
  }
  return out;
}

export function formatLogLine(event: RunEvent): string {
  const time = new Date(event.createdAt).toISOString().slice(11, 23);
  const step = event.stepKey ? ` [${event.stepKey}]` : '';
  return `${time}  ${event.level.toUpperCase().padEnd(5)}${step}  ${event.message}`;
}

/** Lines that contain the query (case-insensitive), in the step key, level or message. */
export function filterEvents(events: readonly RunEvent[], query: string): readonly RunEvent[] {
  const q = query.trim().toLowerCase();
  if (!q) return events;
  return events.filter((e) => formatLogLine(e).toLowerCase().includes(q));
}

/** The whole log as a text file: one line per event, ISO timestamps, data as JSON when present. */
export function logFileText(events: readonly RunEvent[]): string {
  return events
    .map((e) => {
      const data = e.data === undefined || e.data === null ? '' : `  ${JSON.stringify(e.data)}`;
      return `${e.createdAt}  ${e.level.toUpperCase().padEnd(5)}${e.stepKey ? ` [${e.stepKey}]` : ''}  ${e.message}${data}`;
    })
    .join('\n')
    .concat(events.length ? '\n' : '');
}

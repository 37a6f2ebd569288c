import { createLogUpdate } from 'log-update';
import type { DollyApi } from '../api/dolly-api.ts';
import type { Run } from '../api/types.ts';
import type { Colors } from '../output/colors.ts';
import { isTerminal } from '../run/outcome.ts';
import { println, type OutputStream } from '../runtime.ts';
import { applyEvent, applyStatus, type RunView, viewOfRun } from './progress.ts';
import { createPlainPrinter, renderRunFrame, summaryLines } from './render.ts';
import { followRunEvents } from './sse.ts';

export interface WatchOptions {
  api: Pick<DollyApi, 'getRun' | 'openRunEvents'>;
  runIds: string[];
  /** Where progress goes: stdout for `runs watch`, stderr when stdout carries JSON. */
  out: OutputStream;
  /** Redraw in place (a terminal) instead of printing line by line. */
  live: boolean;
  pc: Colors;
  signal: AbortSignal;
  /** Print the closing outcome lines (off when the caller prints the runs as data instead). */
  summary?: boolean;
  /** How long the stream may stay quiet before the run is re-read. */
  recheckQuietMs?: number;
}

const FRAME_MS = 100;

/** Watches runs to their end over SSE and returns them as the server has them afterwards. */
export async function watchRuns(opts: WatchOptions): Promise<{ runs: Run[]; interrupted: boolean }> {
  const initial = await Promise.all(opts.runIds.map((id) => opts.api.getRun(id)));
  const views = initial.map(viewOfRun);
  const printer = createPlainPrinter(opts.pc, { prefix: views.length > 1 });
  const live = opts.live ? createLogUpdate(opts.out as NodeJS.WritableStream) : undefined;
  let tick = 0;
  const draw = () => {
    live?.(views.map((v) => renderRunFrame(v, Date.now(), tick, opts.pc)).join('\n\n'));
  };
  const emit = (lines: string[]) => {
    for (const line of lines) println(opts.out, line);
  };
  const timer = live
    ? setInterval(() => {
        tick++;
        draw();
      }, FRAME_MS)
    : undefined;
  if (live) draw();
  else for (const v of views) emit(printer.status(v));

  const follow = async (view: RunView, index: number): Promise<Run> => {
    const outcome = await followRunEvents({
      open: (lastEventId, signal) => opts.api.openRunEvents(view.id, lastEventId, signal),
      signal: opts.signal,
      recheck: {
        quietMs: opts.recheckQuietMs ?? 3000,
        isFinished: async () => isTerminal((await opts.api.getRun(view.id)).status),
      },
      onEvent: (event) => {
        applyEvent(view, event);
        if (!live) emit(printer.event(view, event));
      },
      onStatus: (status) => {
        applyStatus(view, status);
        if (!live) emit(printer.status(view));
      },
    });
    if (outcome === 'aborted') return initial[index]!;
    const final = await opts.api.getRun(view.id);
    // The server's step timestamps are the record; keep the live view's last log line.
    views[index] = { ...viewOfRun(final), ...(view.lastMessage ? { lastMessage: view.lastMessage } : {}) };
    if (!live) emit(printer.status(views[index]!));
    return final;
  };

  try {
    const runs = await Promise.all(views.map((v, i) => follow(v, i)));
    const interrupted = opts.signal.aborted;
    if (live) {
      draw();
      live.done();
    }
    if (!interrupted && opts.summary !== false) for (const v of views) emit(summaryLines(v, opts.pc));
    return {
      runs: interrupted ? runs.map((r, i) => ({ ...r, status: views[i]!.status })) : runs,
      interrupted,
    };
  } finally {
    if (timer) clearInterval(timer);
  }
}

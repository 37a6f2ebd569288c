/** What every migration step receives: the two clusters, cancellation and where to report. */
import type { KubeClient } from './client.ts';
import { realClock } from './rate-limit.ts';
import type { ClusterInfo } from './types.ts';

export interface MigrationCluster {
  info: ClusterInfo & { clusterId?: string };
  client: KubeClient;
}

export interface MigrationClusters {
  source: MigrationCluster;
  target: MigrationCluster;
}

export interface MigrationEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** never carries Secret values */
  data?: Record<string, unknown>;
}

export interface MigrationProgress {
  phase: 'export' | 'plan' | 'apply' | 'volumes' | 'verify' | 'rollback';
  done: number;
  /** 0 while the total is not known yet */
  total: number;
  /** volume phase: bytes streamed so far (and expected, once known) */
  bytes?: number;
  totalBytes?: number;
  item?: string;
}

export interface StepOptions {
  signal?: AbortSignal;
  onEvent?: (e: MigrationEvent) => void;
  onProgress?: (p: MigrationProgress) => void;
  /**
   * Runs a wait (between polls of a cluster) without holding one of the worker's work slots: a
   * migration waiting minutes for pods to be Ready must not keep other runs from working.
   */
  idle?: <T>(wait: () => Promise<T>) => Promise<T>;
}

/** A pause between polls, given back to the worker's other runs while it lasts. */
export function pause(opts: Pick<StepOptions, 'signal' | 'idle'>, ms: number): Promise<void> {
  const wait = () => realClock.sleep(ms, opts.signal);
  return opts.idle ? opts.idle(wait) : wait();
}

export function emit(
  opts: StepOptions,
  level: MigrationEvent['level'],
  message: string,
  data?: Record<string, unknown>,
) {
  opts.onEvent?.({ level, message, ...(data ? { data } : {}) });
}

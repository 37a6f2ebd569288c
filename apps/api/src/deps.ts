import type { CredentialVault, Database } from '@dolly/db';
import type { AppendRunEvent, CloudAccess, Queues } from '@dolly/jobs';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { RunEventHub } from './lib/run-event-hub.ts';
import type { Metrics } from './plugins/metrics.ts';

/** Everything a route needs, wired once in main.ts (or by a test with real services). */
export interface AppDeps {
  config: Config;
  db: Database;
  redis: Redis;
  queues: Queues;
  runEvents: RunEventHub;
  appendRunEvent: AppendRunEvent;
  metrics: Metrics;
  vault: CredentialVault;
  /** Providers with credentials opened from the vault (kubeconfigs, connection tests). */
  cloud: CloudAccess;
}

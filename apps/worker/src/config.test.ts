import { expect, it } from 'vitest';
import { loadWorkerConfig } from './config.ts';

it('refuses to start against a remote Redis without a password, naming REDIS_URL', () => {
  expect(() =>
    loadWorkerConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/d', REDIS_URL: 'redis://10.0.0.5:6379' }),
  ).toThrow(/REDIS_URL: a Redis that is not on this machine/);
});

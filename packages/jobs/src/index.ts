export * from './redis.ts';
export * from './queues.ts';
export * from './run-events.ts';
export * from './step-runner.ts';
export * from './run-lifecycle.ts';
export * from './account-limiter.ts';
export * from './cancel.ts';
export * from './cloud-access.ts';

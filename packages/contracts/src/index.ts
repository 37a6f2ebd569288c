export * from './problem.ts';
export * from './runs.ts';
export * from './jobs.ts';
export * from './migrations.ts';
export * from './redis-url.ts';
export * from './webhooks.ts';

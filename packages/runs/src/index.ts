export * from './admission-error.ts';
export * from './policy.ts';
export * from './clone.ts';
export * from './rollback.ts';
export * from './migrate.ts';
export * from './live-catalog.ts';
export * from './preflight.ts';

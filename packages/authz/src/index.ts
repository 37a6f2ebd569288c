export * from './roles.ts';
export * from './abilities.ts';

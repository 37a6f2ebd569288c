export * from './roles.ts';
export * from './abilities.ts';
export * from './clone-policy.ts';
export * from './environment.ts';
export * from './scrape-access.ts';

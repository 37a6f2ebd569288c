#!/usr/bin/env node
// In the repository the TypeScript sources run through tsx (no build step). A packed package
// (npm pack) has no sources, only the bundle dist/dolly.mjs, which needs nothing but Node.
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/dolly.mjs', import.meta.url).href);
}

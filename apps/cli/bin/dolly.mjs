#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's ESM loader (no build step in this monorepo).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);

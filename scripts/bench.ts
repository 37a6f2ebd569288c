/**
 * `pnpm bench`: runs every benchmark script (`apps/*\/bench/*.bench.ts`, `packages/*\/bench/*.bench.ts`)
 * with tsx, one after another so they do not compete for the two cores. Each prints its own
 * figures and exits non-zero when it misses its goal. `pnpm bench model` runs those whose path
 * contains "model".
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './lib/paths.ts';
import { runOrThrow } from './lib/processes.ts';

const filter = process.argv[2];
const files: string[] = [];
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(repoRoot, group))) {
    const dir = join(repoRoot, group, name, 'bench');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) if (file.endsWith('.bench.ts')) files.push(join(dir, file));
  }
}
const selected = files.filter((f) => !filter || f.includes(filter));
if (selected.length === 0) {
  console.error(filter ? `no benchmark matches "${filter}"` : 'no benchmarks found');
  process.exit(1);
}
const failed: string[] = [];
for (const file of selected) {
  console.log(`\n### ${relative(repoRoot, file)}`);
  try {
    runOrThrow(join(repoRoot, 'node_modules', '.bin', 'tsx'), [file], { NODE_ENV: 'production' }, repoRoot);
  } catch {
    failed.push(relative(repoRoot, file));
  }
}
if (failed.length) {
  console.error(`\nbenchmarks that missed their goal or failed: ${failed.join(', ')}`);
  process.exit(1);
}

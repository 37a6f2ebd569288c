/**
 * `pnpm bench`: runs every benchmark script (`apps/*\/bench/*.bench.ts`, `packages/*\/bench/*.bench.ts`)
 * with tsx, one after another so they do not compete for the two cores. Each prints its own
 * figures and exits non-zero when it misses its goal. `pnpm bench model` runs those whose path
 * contains "model". `pnpm bench --json` prints one JSON object of every benchmark's named figures
 * on stdout (their reports go to stderr), plus `failed`: the benchmarks that missed a goal.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Figures, parseFigures } from './lib/bench-figures.ts';
import { repoRoot } from './lib/paths.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const filter = args.find((a) => !a.startsWith('--'));
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

/** Runs one benchmark; its report goes to the terminal (stderr with --json) as it comes. */
function runBench(file: string): Promise<{ status: number; figures: Figures }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), [file], {
      cwd: repoRoot,
      // the benchmarks' sandbox clouds answer on loopback, which egress refuses unless allowed (as in `pnpm test`)
      env: { DOLLY_ENDPOINT_ALLOWLIST: '127.0.0.1,localhost', ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = json ? process.stderr : process.stdout;
    let stdout = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const { text } = parseFigures(lines.join('\n'));
      if (lines.length) out.write(`${text.join('\n')}\n`);
    });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (pending) out.write(`${parseFigures(pending).text.join('\n')}\n`);
      try {
        resolve({ status: status ?? (signal ? 1 : 0), figures: parseFigures(stdout).figures });
      } catch (error) {
        reject(error);
      }
    });
  });
}

const failed: string[] = [];
const all: Figures = {};
for (const file of selected) {
  const name = relative(repoRoot, file);
  (json ? process.stderr : process.stdout).write(`\n### ${name}\n`);
  try {
    const { status, figures } = await runBench(file);
    for (const [figure, value] of Object.entries(figures)) {
      if (figure in all) throw new Error(`figure ${figure} is reported by two benchmarks`);
      all[figure] = value;
    }
    if (status !== 0) failed.push(name);
  } catch (error) {
    console.error(error);
    failed.push(name);
  }
}
if (json) console.log(JSON.stringify({ ...all, failed }));
if (failed.length) {
  console.error(`\nbenchmarks that missed their goal or failed: ${failed.join(', ')}`);
  process.exit(1);
}

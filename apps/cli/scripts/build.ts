/**
 * Bundles the CLI into one dependency-free ES module, dist/dolly.mjs, for the packed package
 * (`npm pack` runs this as prepack). The workspace packages (@dolly/*) are private and the
 * TypeScript sources need tsx, so the tarball carries the bundle instead of either.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ warnings: unknown[] }>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// esbuild is not a dependency of this package; tsx (which runs this script) brings it.
const fromTsx = createRequire(fileURLToPath(import.meta.resolve('tsx')));
const esbuild = fromTsx('esbuild') as EsbuildApi;

const outfile = join(root, 'dist', 'dolly.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await esbuild.build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies (commander, yaml…) call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __dollyRequire } from 'node:module';\nconst require = __dollyRequire(import.meta.url);",
  },
});
chmodSync(outfile, 0o755);
console.log(`wrote ${outfile}`);

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The CLI and the dashboard take their bodies from the generated client (issue #16): a type named
 * like a schema of the OpenAPI document must be derived from it (`Schemas['Run']`), never written
 * out again as an interface or an object type, which would drift from the route silently.
 */
const root = join(import.meta.dirname, '../../..');
const spec = JSON.parse(readFileSync(join(root, 'packages/api-client/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, unknown> };
};
const schemaNames = new Set(Object.keys(spec.components.schemas).map((n) => n.replace(/Input$/, '')));

/** Declarations in `source` that spell out a spec schema by name instead of deriving it. */
export function handCopies(source: string, names: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\b(?:interface\s+(\w+)|type\s+(\w+)(?:<[^=]*>)?\s*=\s*\{)/g)) {
    const name = m[1] ?? m[2];
    if (name && names.has(name)) found.push(name);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('generated client types', () => {
  it('finds a hand-copied schema and lets a derived one pass', () => {
    const names = new Set(['Run', 'StoredPlan']);
    expect(handCopies('export interface Run {\n  id: string;\n}', names)).toEqual(['Run']);
    expect(handCopies('type StoredPlan = { id: string };', names)).toEqual(['StoredPlan']);
    expect(handCopies("export type Run = Schemas['Run'];\ninterface RunView {}", names)).toEqual([]);
  });

  it("the CLI's API types are all derived from the spec", () => {
    // Every name there is a body, a query or an answer of a route: none is the CLI's own shape.
    const types = readFileSync(join(root, 'apps/cli/src/api/types.ts'), 'utf8');
    expect(handCopies(types, new Set(types.match(/(?<=\b(?:interface|type)\s+)\w+/g)))).toEqual([]);
  });

  it('the CLI and the web app declare no spec schema of their own', () => {
    const offenders = ['apps/cli/src', 'apps/web/src']
      .flatMap((dir) => sourceFiles(join(root, dir)))
      .flatMap((file) =>
        handCopies(readFileSync(file, 'utf8'), schemaNames).map(
          (name) => `${file.slice(root.length + 1)}: ${name}`,
        ),
      );
    expect(offenders).toEqual([]);
  });
});

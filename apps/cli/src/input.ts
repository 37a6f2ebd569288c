import { readFileSync } from 'node:fs';
import {
  type ClonePlan,
  type ClusterSpec,
  clonePlanSchema,
  clusterSpecSchema,
  fromClusterCloner,
  isClusterClonerInput,
  type ValidationIssue,
  zodIssues,
} from '@dolly/model';
import YAML from 'yaml';

export type SourceInput =
  | { kind: 'clusters'; format: 'cluster-spec' | 'cluster-cloner'; clusters: ClusterSpec[] }
  | { kind: 'plan'; plan: ClonePlan; clusters: ClusterSpec[] };

export class InputError extends Error {
  readonly file: string;
  readonly issues: ValidationIssue[];
  constructor(file: string, issues: ValidationIssue[]) {
    super(issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'InputError';
    this.file = file;
    this.issues = issues;
  }
}

/** Parses the text of a source file (JSON, or YAML for .yaml/.yml). */
export function parseSourceText(file: string, text: string): SourceInput {
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw new InputError(file, [
      { path: '', message: `not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}` },
    ]);
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    'kind' in value &&
    value.kind === 'ClonePlan'
  ) {
    const parsed = clonePlanSchema.safeParse(value);
    if (!parsed.success) throw new InputError(file, zodIssues(parsed.error));
    return { kind: 'plan', plan: parsed.data, clusters: parsed.data.items.map((i) => i.source) };
  }
  if (isClusterClonerInput(value)) {
    const r = fromClusterCloner(value);
    if (!r.ok) throw new InputError(file, r.issues);
    return { kind: 'clusters', format: 'cluster-cloner', clusters: r.clusters };
  }
  if (Array.isArray(value)) {
    const parsed = clusterSpecSchema.array().safeParse(value);
    if (!parsed.success) throw new InputError(file, zodIssues(parsed.error));
    return { kind: 'clusters', format: 'cluster-spec', clusters: parsed.data };
  }
  const parsed = clusterSpecSchema.safeParse(value);
  if (!parsed.success) throw new InputError(file, zodIssues(parsed.error));
  return { kind: 'clusters', format: 'cluster-spec', clusters: [parsed.data] };
}

export function readSourceFile(file: string): SourceInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, [
      { path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` },
    ]);
  }
  return parseSourceText(file, text);
}

/** `k=v,k2=v2` -> `{ k: 'v', k2: 'v2' }`. */
export function parseLabelFilter(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`--label-filter: "${trimmed}" is not key=value`);
    out[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return out;
}

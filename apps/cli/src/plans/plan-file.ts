import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { CliError } from '../errors.ts';
import { isUuid } from '../refs.ts';

export interface PlanFileEdit {
  planId: string;
  document: unknown;
  targetEnvironment?: string | null;
}

/**
 * What `dolly apply FILE` sends back: a stored plan as `dolly plan -o json` printed it
 * ({id, document, …}), or just its ClonePlan document (whose id is the stored plan's id).
 */
export function readPlanFile(file: string): PlanFileEdit {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(`${file}: expected a plan object`);
  const v = value as Record<string, unknown>;
  if ('document' in v) {
    const doc = v.document as Record<string, unknown> | null;
    const id = typeof v.id === 'string' ? v.id : typeof doc?.id === 'string' ? doc.id : undefined;
    if (!id || !isUuid(id)) throw new CliError(`${file}: id: not the id of a stored plan`);
    const edit: PlanFileEdit = { planId: id, document: v.document };
    if (typeof v.targetEnvironment === 'string' || v.targetEnvironment === null)
      edit.targetEnvironment = v.targetEnvironment;
    return edit;
  }
  if (v.kind === 'ClonePlan') {
    if (typeof v.id !== 'string' || !isUuid(v.id))
      throw new CliError(
        `${file}: this plan was made offline and is not stored on the server`,
        1,
        'plan from the inventory with dolly plan --source-cluster … --target-account …, then apply that',
      );
    return { planId: v.id, document: v };
  }
  throw new CliError(`${file}: not a plan (expected the output of dolly plan -o json, or a ClonePlan)`);
}

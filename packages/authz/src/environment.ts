/**
 * Environments as the guard sees them. Names are free text typed by people and read from labels,
 * so every comparison goes through `normaliseEnvironment`, and a target whose environment cannot
 * be told is treated as prod: guessing "not prod" is how a developer ends up writing into prod.
 */

/** The canonical prod name, and the spellings that mean it. */
export const PROD = 'prod';
const ALIASES: Record<string, string> = {
  prod: PROD,
  production: PROD,
  prd: PROD,
  dev: 'dev',
  development: 'dev',
  stage: 'staging',
  staging: 'staging',
  stg: 'staging',
};

/** Spellings of prod every tenant has. */
export const BUILTIN_PROD = Object.keys(ALIASES).filter((k) => ALIASES[k] === PROD);

/** Lower case, trimmed, known spellings folded (`Production` → `prod`); blank → null. */
export function normaliseEnvironment(name: string | null | undefined): string | null {
  const v = name?.trim().toLowerCase();
  if (!v) return null;
  return ALIASES[v] ?? v;
}

/** What the tenant adds to the built-in prod class (tenant setting `prodEnvironments`). */
export interface EnvironmentSettings {
  prodEnvironments?: readonly string[];
}

/** True for prod, its spellings, the tenant's own prod-class names, and an unknown environment. */
export function isProdClass(env: string | null | undefined, settings: EnvironmentSettings = {}): boolean {
  const n = normaliseEnvironment(env);
  if (n === null || n === PROD) return true;
  return (settings.prodEnvironments ?? []).some((p) => normaliseEnvironment(p) === n);
}

export interface TargetEnvironmentInput {
  /** the target cloud account's default environment (set by an admin) */
  accountEnvironment: string | null | undefined;
  /** what the requester asked for (free text: never trusted alone) */
  requested: string | null | undefined;
  /** the environment the labels the clone will carry name, if any */
  labelEnvironment: string | null | undefined;
  /** an inventory cluster that already sits where the clone goes (it would be adopted) */
  existingEnvironment?: { environment: string | null } | null;
}

export interface TargetEnvironment {
  /** normalised; null = unknown (and so prod-class) */
  environment: string | null;
  prodClass: boolean;
  /** where the answer came from, for the plan's explanation */
  source: 'existing' | 'account' | 'requested' | 'labels' | 'unknown';
  reason: string;
}

/**
 * THE environment of a clone target. Order: a cluster already at the target keeps the
 * environment the inventory knows (adopting a prod cluster does not make it dev); a prod-class
 * account stays prod whatever the requester typed; then the request, the account's default, the
 * labels the clone carries; nothing known → unknown, which is prod-class.
 */
export function targetEnvironment(
  input: TargetEnvironmentInput,
  settings: EnvironmentSettings = {},
): TargetEnvironment {
  const result = (
    environment: string | null,
    source: TargetEnvironment['source'],
    reason: string,
  ): TargetEnvironment => ({ environment, prodClass: isProdClass(environment, settings), source, reason });
  if (input.existingEnvironment) {
    const env = normaliseEnvironment(input.existingEnvironment.environment);
    return result(
      env,
      'existing',
      `a cluster of that name already exists in the target and the inventory has it in ${env ?? 'no known environment'}`,
    );
  }
  const account = normaliseEnvironment(input.accountEnvironment);
  const requested = normaliseEnvironment(input.requested);
  if (account !== null && isProdClass(account, settings) && requested !== account)
    return result(account, 'account', `the target account's environment is ${account}`);
  if (requested !== null) return result(requested, 'requested', `requested: ${requested}`);
  if (account !== null) return result(account, 'account', `the target account's default environment`);
  const labels = normaliseEnvironment(input.labelEnvironment);
  if (labels !== null) return result(labels, 'labels', `the clone's labels name ${labels}`);
  return result(
    null,
    'unknown',
    'no environment was requested, the target account has no default and the labels name none: treated as prod',
  );
}

import type { FaultInjector, FaultRule } from './context.ts';

export const FAULT_KINDS = ['throttle', 'server-error', 'timeout', 'async-failure'] as const;

/** The core's FaultInjector: rules matched by cloud + operation ('*' = any), consumed by count. */
export class Faults implements FaultInjector {
  private rules: FaultRule[] = [];
  private seq = 0;
  private readonly onChange: () => void;
  private readonly random: () => number;

  constructor(opts: { onChange?: () => void; random?: () => number } = {}) {
    this.onChange = opts.onChange ?? (() => {});
    this.random = opts.random ?? Math.random;
  }

  /**
   * Returns the fault to apply to this call, consuming one count. With `kinds`, only rules of
   * those kinds are considered (a module asks for 'async-failure' only where it creates something,
   * and for the request-level kinds on every call).
   */
  take(
    cloud: FaultRule['cloud'],
    operation: string,
    kinds?: readonly FaultRule['kind'][],
  ): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.cloud !== cloud) continue;
      if (rule.operation !== '*' && rule.operation.toLowerCase() !== operation.toLowerCase()) continue;
      if (kinds && !kinds.includes(rule.kind)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.count !== undefined) {
        rule.count -= 1;
        if (rule.count <= 0) this.rules = this.rules.filter((r) => r !== rule);
        this.onChange();
      }
      return { ...rule };
    }
    return undefined;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  add(rule: FaultRule): FaultRule {
    const stored: FaultRule = { ...rule, id: rule.id ?? `fault-${++this.seq}` };
    if (stored.count === undefined && stored.probability === undefined) stored.count = 1;
    this.rules.push(stored);
    this.onChange();
    return { ...stored };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    if (this.rules.length !== before) this.onChange();
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
    this.onChange();
  }

  snapshot(): { rules: FaultRule[]; seq: number } {
    return { rules: this.list(), seq: this.seq };
  }

  restore(state: unknown): void {
    const s = state as { rules?: FaultRule[]; seq?: number } | undefined;
    this.rules = Array.isArray(s?.rules) ? s.rules.map((r) => ({ ...r })) : [];
    this.seq = typeof s?.seq === 'number' ? s.seq : 0;
  }
}

/** Validate a POST /_sandbox/faults body; returns an error message or the rule. */
export function parseFaultRule(body: unknown): FaultRule | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  const clouds = ['aws', 'azure', 'gcp', 'kube'];
  if (typeof b.cloud !== 'string' || !clouds.includes(b.cloud))
    return `cloud must be one of ${clouds.join(', ')}`;
  if (typeof b.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(b.kind)) {
    return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  }
  const operation = b.operation === undefined ? '*' : b.operation;
  if (typeof operation !== 'string' || operation === '') return 'operation must be a non-empty string';
  const rule: FaultRule = {
    cloud: b.cloud as FaultRule['cloud'],
    operation,
    kind: b.kind as FaultRule['kind'],
  };
  if (b.id !== undefined) {
    if (typeof b.id !== 'string') return 'id must be a string';
    rule.id = b.id;
  }
  if (b.count !== undefined) {
    if (typeof b.count !== 'number' || !Number.isInteger(b.count) || b.count < 1)
      return 'count must be an integer >= 1';
    rule.count = b.count;
  }
  if (b.probability !== undefined) {
    if (typeof b.probability !== 'number' || b.probability < 0 || b.probability > 1) {
      return 'probability must be a number in [0, 1]';
    }
    rule.probability = b.probability;
  }
  if (b.retryAfterSeconds !== undefined) {
    if (typeof b.retryAfterSeconds !== 'number' || b.retryAfterSeconds < 0)
      return 'retryAfterSeconds must be >= 0';
    rule.retryAfterSeconds = b.retryAfterSeconds;
  }
  if (b.message !== undefined) {
    if (typeof b.message !== 'string') return 'message must be a string';
    rule.message = b.message;
  }
  return rule;
}

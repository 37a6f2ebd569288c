/** Minimal 5-field cron schedule evaluation (minute resolution, UTC). */

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const NAMES: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

function field(spec: string, min: number, max: number): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [range, stepS] = part.split('/');
    const step = stepS ? Number(stepS) : 1;
    if (!Number.isInteger(step) || step <= 0) return undefined;
    let lo = min;
    let hi = max;
    if (range !== '*' && range !== '?') {
      const [a, b] = range!.split('-');
      const num = (s: string | undefined) =>
        s === undefined ? Number.NaN : (NAMES[s.toLowerCase()] ?? Number(s));
      lo = num(a);
      hi = b !== undefined ? num(b) : stepS ? max : lo;
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max + (max === 6 ? 1 : 0))
      return undefined;
    for (let v = lo; v <= hi; v += step) out.add(max === 6 && v === 7 ? 0 : v);
  }
  return out;
}

export interface CronSchedule {
  matches(ms: number): boolean;
}

export function parseCron(expr: string): CronSchedule | undefined {
  const e = MACROS[expr.trim()] ?? expr.trim().replace(/^(CRON_)?TZ=\S+\s+/, '');
  const parts = e.split(/\s+/);
  if (parts.length !== 5) return undefined;
  const [mi, h, dom, mon, dow] = [
    field(parts[0]!, 0, 59),
    field(parts[1]!, 0, 23),
    field(parts[2]!, 1, 31),
    field(parts[3]!, 1, 12),
    field(parts[4]!, 0, 6),
  ];
  if (!mi || !h || !dom || !mon || !dow) return undefined;
  const domStar = parts[2] === '*' || parts[2] === '?';
  const dowStar = parts[4] === '*' || parts[4] === '?';
  return {
    matches(ms: number) {
      const d = new Date(ms);
      if (!mi.has(d.getUTCMinutes()) || !h.has(d.getUTCHours()) || !mon.has(d.getUTCMonth() + 1))
        return false;
      const domOk = dom.has(d.getUTCDate());
      const dowOk = dow.has(d.getUTCDay());
      if (domStar || dowStar) return domOk && dowOk;
      return domOk || dowOk;
    },
  };
}

/** Latest scheduled minute in (after, upTo], or undefined. Bounded search. */
export function latestRun(schedule: CronSchedule, afterMs: number, upToMs: number): number | undefined {
  const start = Math.floor(afterMs / 60000) * 60000 + 60000;
  let t = Math.floor(upToMs / 60000) * 60000;
  let steps = 0;
  while (t >= start && steps < 200_000) {
    if (schedule.matches(t)) return t;
    t -= 60000;
    steps++;
  }
  return undefined;
}

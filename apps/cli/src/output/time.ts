/** 850ms, 12.3s, 4m05s, 1h02m: short enough for a progress line, exact enough to compare. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function since(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return `${formatDuration(Math.max(0, now - t)).replace(/\.\d+s$/, 's')} ago`;
}

export function elapsed(from: string | null | undefined, to: string | null | undefined, now: number): string {
  if (!from) return '';
  const start = Date.parse(from);
  const end = to ? Date.parse(to) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? '' : formatDuration(Math.max(0, end - start));
}

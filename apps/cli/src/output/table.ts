import Table from 'cli-table3';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

// kubectl-style: no borders, columns separated by spaces, so output greps and reads alike.
const PLAIN = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export function renderTable<T>(rows: readonly T[], columns: Column<T>[], empty = 'No results.'): string {
  if (rows.length === 0) return empty;
  const table = new Table({
    head: columns.map((c) => c.header.toUpperCase()),
    chars: PLAIN,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => c.value(row)));
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** A record shown as aligned `Field: value` lines. */
export function renderFields(fields: [string, string | undefined | null][]): string {
  const shown = fields.filter(
    (f): f is [string, string] => f[1] !== undefined && f[1] !== null && f[1] !== '',
  );
  const width = Math.max(0, ...shown.map(([k]) => k.length)) + 1;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join('\n');
}

export const labelsText = (labels: Record<string, string> | undefined): string =>
  Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

import { ApiError } from '@dolly/api-client';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { colors } from './colors.ts';
import { describeError } from './errors.ts';
import { render, resolveFormat } from './format.ts';
import { renderFields, renderTable } from './table.ts';
import { formatDuration, since } from './time.ts';

const rows = [
  { name: 'shop-prod', cloud: 'gcp', nodes: 6 },
  { name: 'shop-dev', cloud: 'aws', nodes: 2 },
];
const columns = [
  { header: 'name', value: (r: (typeof rows)[number]) => r.name },
  { header: 'cloud', value: (r: (typeof rows)[number]) => r.cloud },
  { header: 'nodes', value: (r: (typeof rows)[number]) => String(r.nodes) },
];

describe('output formats', () => {
  it('defaults to a table on a terminal and JSON in a pipe', () => {
    expect(resolveFormat(undefined, { stdout: { write: () => true, isTTY: true } })).toBe('table');
    expect(resolveFormat(undefined, { stdout: { write: () => true } })).toBe('json');
    expect(resolveFormat('yaml', { stdout: { write: () => true, isTTY: true } })).toBe('yaml');
  });

  it('prints the same data as JSON, YAML or a plain table', () => {
    const table = () => renderTable(rows, columns);
    expect(JSON.parse(render(rows, 'json', table))).toEqual(rows);
    expect(render(rows, 'yaml', table)).toBe(
      '- name: shop-prod\n  cloud: gcp\n  nodes: 6\n- name: shop-dev\n  cloud: aws\n  nodes: 2',
    );
    expect(render(rows, 'table', table)).toBe(
      ['NAME       CLOUD  NODES', 'shop-prod  gcp    6', 'shop-dev   aws    2'].join('\n'),
    );
  });

  it('says so when a table is empty', () => {
    expect(renderTable([], columns, 'No clusters.')).toBe('No clusters.');
  });

  it('aligns record fields and leaves out empty ones', () => {
    expect(
      renderFields([
        ['Name', 'shop-prod'],
        ['Environment', null],
        ['ID', '1'],
      ]),
    ).toBe('Name: shop-prod\nID:   1');
  });

  it.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m05s'],
    [3_720_000, '1h02m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('says how long ago', () => {
    expect(since('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z'))).toBe('5m00s ago');
    expect(since(null, 0)).toBe('');
  });
});

describe('errors', () => {
  const pc = colors(false);

  it("shows the server's problem details field by field", () => {
    const e = new ApiError(422, {
      title: 'The request cannot be processed',
      status: 422,
      code: 'unprocessable',
      detail: 'The edited plan does not pass the target cloud validation',
      errors: [
        {
          path: 'body.document.items[0].target.nodePools[0].machineType',
          message: 'unknown gcp machine type "x"',
        },
      ],
      requestId: 'req-1',
    });
    const d = describeError(e, pc);
    expect(d.lines).toEqual([
      'error: The request cannot be processed (422 unprocessable)',
      '  The edited plan does not pass the target cloud validation',
      '  body.document.items[0].target.nodePools[0].machineType: unknown gcp machine type "x"',
      '  request id: req-1',
    ]);
    expect(d.exitCode).toBe(1);
    expect(d.json).toEqual({ error: e.problem });
  });

  it('names the policy of a denied clone', () => {
    const d = describeError(
      new ApiError(403, {
        title: 'A clone policy forbids this',
        status: 403,
        code: 'policy_denied',
        detail: 'Developers cannot clone into prod [rule: prod-guard]',
      }),
      pc,
    );
    expect(d.lines.join('\n')).toBe(
      'error: A clone policy forbids this (403 policy_denied)\n  Developers cannot clone into prod [rule: prod-guard]',
    );
  });

  it('gives a hint for CLI errors and a login hint for 401', () => {
    expect(describeError(new CliError('not logged in', 1, 'run dolly login'), pc).lines).toEqual([
      'error: not logged in',
      '  hint: run dolly login',
    ]);
    expect(describeError(new ApiError(401, { title: 'Sign in', status: 401 }), pc).lines.at(-1)).toMatch(
      /dolly login/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { diffAgainstLive, projectOnto, redactSecret } from './diff.ts';
import { obj } from './testing/fixtures.ts';

describe('diffAgainstLive', () => {
  const desired = obj('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: '2' } });
  it('shows a whole object for a create', () => {
    const d = diffAgainstLive('ConfigMap shop/cfg', undefined, desired);
    expect(d.equal).toBe(false);
    expect(d.diff).toContain('+data:');
  });
  it('ignores server fields and defaults the migration does not set', () => {
    const live = obj(
      'v1',
      'ConfigMap',
      'cfg',
      { data: { a: '1', b: '2' } },
      { uid: 'u', resourceVersion: '3', creationTimestamp: 'x' },
    );
    (live.metadata as Record<string, unknown>).managedFields = [{}];
    expect(diffAgainstLive('cfg', live, desired)).toEqual({ diff: '', equal: true });
  });
  it('shows what would change', () => {
    const live = obj('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: 'old' } });
    const d = diffAgainstLive('cfg', live, desired);
    expect(d.diff).toMatch(/-\s+b: old/);
    expect(d.diff).toMatch(/\+\s+b: "2"/);
  });
  it('never shows Secret values, but says when one differs', () => {
    const secret = (v: string) =>
      obj('v1', 'Secret', 's', { data: { PASSWORD: Buffer.from(v).toString('base64') } });
    const d = diffAgainstLive('s', secret('old-password'), secret('new-password'));
    expect(d.equal).toBe(false);
    expect(d.diff).toContain('<redacted: differs>');
    expect(d.diff).not.toContain(Buffer.from('new-password').toString('base64'));
    expect(d.diff).not.toContain(Buffer.from('old-password').toString('base64'));
    expect(diffAgainstLive('s', secret('same'), secret('same')).equal).toBe(true);
    expect(diffAgainstLive('s', undefined, secret('x')).diff).not.toContain(
      Buffer.from('x').toString('base64'),
    );
  });
  it('projects arrays by index', () => {
    expect(projectOnto({ a: [{ x: 1, y: 2 }, { x: 3 }] }, { a: [{ x: 1 }] })).toEqual({
      a: [{ x: 1 }, { x: 3 }],
    });
  });
  it('redacts every Secret value', () => {
    expect(
      redactSecret(obj('v1', 'Secret', 's', { data: { a: 'eA==' }, stringData: { b: 'y' } })),
    ).toMatchObject({
      data: { a: '<redacted>' },
      stringData: { b: '<redacted>' },
    });
  });
});

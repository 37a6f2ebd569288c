import { describe, expect, it } from 'vitest';
import { resolveTarget } from './resolve.ts';
import type { DollyConfig } from './store.ts';

const config: DollyConfig = {
  currentContext: 'local',
  contexts: [
    { name: 'local', url: 'http://localhost:8080/', token: 'dolly_local' },
    { name: 'prod', url: 'https://dolly.example.com', token: 'dolly_prod' },
  ],
};

describe('which server and token', () => {
  it('uses the current context', () => {
    expect(resolveTarget({}, config)).toMatchObject({
      url: 'http://localhost:8080',
      token: 'dolly_local',
      context: { name: 'local' },
      urlFrom: 'context',
    });
  });

  it('uses --context, then DOLLY_CONTEXT, over the current one', () => {
    expect(resolveTarget({ DOLLY_CONTEXT: 'prod' }, config).token).toBe('dolly_prod');
    expect(resolveTarget({ DOLLY_CONTEXT: 'prod' }, config, 'local').token).toBe('dolly_local');
  });

  it('lets DOLLY_TOKEN override the stored token and DOLLY_URL the server', () => {
    expect(resolveTarget({ DOLLY_TOKEN: 'dolly_env' }, config)).toMatchObject({
      url: 'http://localhost:8080',
      token: 'dolly_env',
      tokenFrom: 'DOLLY_TOKEN',
    });
    expect(resolveTarget({ DOLLY_URL: 'http://other:1/', DOLLY_TOKEN: 'dolly_env' }, config)).toMatchObject({
      url: 'http://other:1',
      token: 'dolly_env',
      urlFrom: 'DOLLY_URL',
    });
  });

  it('never sends a stored token to another server named by DOLLY_URL', () => {
    const t = resolveTarget({ DOLLY_URL: 'http://evil.example.com' }, config);
    expect(t.token).toBeUndefined();
    expect(t.context).toBeUndefined();
  });

  it('finds the context of the DOLLY_URL server', () => {
    expect(resolveTarget({ DOLLY_URL: 'https://dolly.example.com/' }, config)).toMatchObject({
      token: 'dolly_prod',
      context: { name: 'prod' },
    });
  });

  it('works from the environment alone and says how to log in otherwise', () => {
    expect(resolveTarget({ DOLLY_URL: 'http://x', DOLLY_TOKEN: 't' }, { contexts: [] })).toMatchObject({
      url: 'http://x',
      token: 't',
    });
    expect(() => resolveTarget({}, { contexts: [] })).toThrow('not logged in');
    expect(() => resolveTarget({}, config, 'nope')).toThrow('no context "nope"');
  });
});

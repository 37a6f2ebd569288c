import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { configPath } from './paths.ts';
import { loadConfig, parseConfig, removeContext, saveConfig, upsertContext } from './store.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dolly-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ctx = (name: string, url = 'http://localhost:8080') => ({ name, url, token: `dolly_${name}` });

describe('config file location', () => {
  it.each([
    [{ DOLLY_CONFIG: '/x/dolly.yaml', XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, '/x/dolly.yaml'],
    [{ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, '/xdg/dolly/config.yaml'],
    [{ HOME: '/home/u' }, '/home/u/.config/dolly/config.yaml'],
    [{ XDG_CONFIG_HOME: '', HOME: '/home/u' }, '/home/u/.config/dolly/config.yaml'],
  ])('%j -> %s', (env, expected) => {
    expect(configPath(env)).toBe(expected);
  });
});

describe('config file', () => {
  it('is written 0600 in a 0700 folder, even over a file others could read', () => {
    const file = join(dir, 'nested', 'config.yaml');
    saveConfig(file, upsertContext({ contexts: [] }, ctx('a')));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    chmodSync(file, 0o644);
    expect(loadConfig(file).insecureMode).toBe(0o644);
    saveConfig(file, upsertContext(loadConfig(file).config, ctx('b')));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig(file).insecureMode).toBeUndefined();
  });

  it('round-trips contexts and the current one', () => {
    const file = join(dir, 'config.yaml');
    let config = upsertContext(
      { contexts: [] },
      { ...ctx('b'), tenant: 'demo', user: 'u@x', role: 'developer' },
    );
    config = upsertContext(config, ctx('a', 'https://dolly.example.com'));
    saveConfig(file, config);
    expect(loadConfig(file).config).toEqual({
      currentContext: 'a',
      contexts: [
        { name: 'a', url: 'https://dolly.example.com', token: 'dolly_a' },
        {
          name: 'b',
          url: 'http://localhost:8080',
          token: 'dolly_b',
          tenant: 'demo',
          user: 'u@x',
          role: 'developer',
        },
      ],
    });
    expect(readFileSync(file, 'utf8')).toMatch(/^currentContext: a\n/);
  });

  it('reads a missing file as empty', () => {
    expect(loadConfig(join(dir, 'none.yaml')).config).toEqual({ contexts: [] });
  });

  it('names the field at fault in a broken file', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'contexts:\n  - name: a\n    url: http://x\n');
    expect(() => loadConfig(file)).toThrow(`${file}: contexts[0].token: required`);
    expect(() => parseConfig('contexts: {', 'f.yaml')).toThrow(/f.yaml: not valid YAML/);
    expect(() => parseConfig('- a', 'f.yaml')).toThrow('f.yaml: expected a mapping');
  });

  it('replacing a context keeps one entry; deleting the current leaves none current', () => {
    let config = upsertContext(upsertContext({ contexts: [] }, ctx('a')), ctx('b'));
    config = upsertContext(config, { ...ctx('a'), token: 'dolly_new' });
    expect(config.contexts.map((c) => [c.name, c.token])).toEqual([
      ['a', 'dolly_new'],
      ['b', 'dolly_b'],
    ]);
    expect(removeContext(config, 'a')).toEqual({ contexts: [ctx('b')] });
    expect(removeContext(config, 'b').currentContext).toBe('a');
    expect(() => removeContext(config, 'zzz')).toThrow(CliError);
  });
});

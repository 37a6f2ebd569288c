import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../program.ts';
import { bashCompletion, fishCompletion, zshCompletion } from './scripts.ts';
import { commandTree } from './tree.ts';

const quiet = {
  env: {},
  stdout: { write: () => true },
  stderr: { write: () => true },
  stdin: process.stdin,
  color: false,
  setExitCode: () => {},
};
const tree = commandTree(createProgram(quiet));

/** Completes `words` the way bash would, with the generated script loaded. */
function bashComplete(words: string[]): string[] {
  const script = `${bashCompletion(tree)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_dolly; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('knows every command, with its aliases', () => {
    const names = tree.subcommands.map((c) => c.names[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'login',
        'context',
        'clusters',
        'plan',
        'apply',
        'runs',
        'clustercloner',
        'completion',
      ]),
    );
  });

  it('completes commands, subcommands, options and option values in bash', () => {
    expect(bashComplete(['dolly', 'cl'])).toEqual(['clusters', 'cluster', 'clustercloner', 'cluster-cloner']);
    expect(bashComplete(['dolly', 'runs', 'w'])).toEqual(['watch']);
    expect(bashComplete(['dolly', 'cluster', 'list', '--cl'])).toEqual(['--cloud']);
    expect(bashComplete(['dolly', 'clusters', 'list', '-o', ''])).toEqual(['json', 'yaml', 'table']);
    expect(bashComplete(['dolly', 'completion', ''])).toEqual([]);
  });

  it('writes zsh and fish scripts that name the commands', () => {
    const zsh = zshCompletion(tree);
    expect(zsh.startsWith('#compdef dolly')).toBe(true);
    expect(zsh).toContain("'clustercloner:Cluster Cloner");
    const fish = fishCompletion(tree);
    expect(fish).toContain("complete -c dolly -n '__dolly_at \\'runs\\'' -a 'watch'");
    expect(fish).toContain("-l output -s o -x -a 'json yaml table'");
  });

  it('gives zsh valid syntax when zsh is installed', () => {
    const zsh = spawnSync('zsh', ['-n'], { input: zshCompletion(tree), encoding: 'utf8' });
    if (zsh.error) return; // no zsh on this machine
    expect(zsh.status, zsh.stderr).toBe(0);
  });
});

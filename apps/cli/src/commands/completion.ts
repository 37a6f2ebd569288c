import { Argument, type Command } from 'commander';
import { bashCompletion, fishCompletion, zshCompletion } from '../completion/scripts.ts';
import { commandTree } from '../completion/tree.ts';
import { handle } from '../command-kit.ts';
import type { Runtime } from '../runtime.ts';

export function registerCompletionCommand(program: Command, rt: Runtime): void {
  program
    .command('completion')
    .description('Print a shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(dolly completion bash)                          # now; add to ~/.bashrc to keep
  $ dolly completion zsh > "\${fpath[1]}/_dolly"               # zsh, then restart the shell
  $ dolly completion fish > ~/.config/fish/completions/dolly.fish`,
    )
    .action(
      handle<object, [string]>(rt, (kit, _opts, shell) => {
        const tree = commandTree(program);
        const script =
          shell === 'bash'
            ? bashCompletion(tree)
            : shell === 'zsh'
              ? zshCompletion(tree)
              : fishCompletion(tree);
        kit.rt.stdout.write(script);
        return 0;
      }),
    );
}

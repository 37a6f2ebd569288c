import { normaliseGoFlags } from './compat/cluster-cloner.ts';
import { colors } from './output/colors.ts';
import { describeError } from './output/errors.ts';
import { createProgram } from './program.ts';
import { processRuntime } from './runtime.ts';

const rt = processRuntime();
const [node = 'node', script = 'dolly', ...args] = process.argv;
try {
  // Cluster Cloner's Go-style flags (-inputcloud GCP, -nodryrun=true) are rewritten before parsing.
  const commandAt = args.findIndex((a) => a === 'clustercloner' || a === 'cluster-cloner');
  const argv =
    commandAt >= 0 ? [...args.slice(0, commandAt + 1), ...normaliseGoFlags(args.slice(commandAt + 1))] : args;
  await createProgram(rt).parseAsync([node, script, ...argv]);
} catch (error) {
  const described = describeError(error, colors(rt.color));
  for (const line of described.lines) rt.stderr.write(`${line}\n`);
  rt.setExitCode(described.exitCode);
}

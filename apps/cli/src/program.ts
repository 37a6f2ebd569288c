import { Command } from 'commander';
import { registerAccountsCommand } from './commands/accounts.ts';
import { registerApplyCommand } from './commands/apply.ts';
import { registerClusterClonerCommand } from './commands/clustercloner.ts';
import { registerClustersCommand } from './commands/clusters.ts';
import { registerCompletionCommand } from './commands/completion.ts';
import { registerContextCommand } from './commands/context.ts';
import { registerDriftCommand } from './commands/drift.ts';
import { registerLoginCommand } from './commands/login.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerRecipesCommand } from './commands/recipes.ts';
import { registerRunsCommand } from './commands/runs.ts';
import { registerSsoCommand } from './commands/sso.ts';
import { registerSyncCommand } from './commands/sync.ts';
import { registerTokensCommand } from './commands/tokens.ts';
import { registerWhoamiCommand } from './commands/whoami.ts';
import { processRuntime, type Runtime } from './runtime.ts';

export const VERSION = '0.1.0';

/** The `dolly` program; each command registers itself from src/commands/. */
export function createProgram(rt: Runtime = processRuntime()): Command {
  const program = new Command('dolly')
    .description('Dolly: clone Kubernetes clusters between EKS, AKS and GKE')
    .version(VERSION, '-V, --version')
    .option('--context <name>', 'use this context instead of the current one (also DOLLY_CONTEXT)')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => rt.stdout.write(s),
      writeErr: (s) => rt.stderr.write(s),
    })
    .addHelpText(
      'after',
      `
Configuration: dolly login stores contexts (server URL + API token) in DOLLY_CONFIG, else
$XDG_CONFIG_HOME/dolly/config.yaml, else ~/.config/dolly/config.yaml (mode 0600). DOLLY_URL and
DOLLY_TOKEN override the current context; DOLLY_CONTEXT or --context pick another one.

Output: -o json|yaml|table on every command (default: table on a terminal, json when piped).
Errors go to stderr with the server's problem details, and the exit code is not 0.

Exit codes: 0 ok / run succeeded, 1 error / run failed, 2 run cancelled, rejected or rolled back
(dolly drift: drift found), 3 run partially succeeded, 130 stopped watching (Ctrl-C).

Examples:
  $ dolly login http://localhost:8080 --token-stdin < token.txt
  $ dolly clusters list --env prod
  $ dolly plan --source-cluster gcp/us-central1/shop-prod --target-account "Sandbox AWS"
  $ dolly apply <plan-id> --watch
  $ dolly clustercloner --inputcloud GCP --inputscope dolly-demo-prod --inputlocation us-central1 \\
      --outputcloud AWS
  $ dolly plan --source examples/gke-shop-prod.json --target-cloud aws   # offline`,
    );
  registerLoginCommand(program, rt);
  registerContextCommand(program, rt);
  registerWhoamiCommand(program, rt);
  registerClustersCommand(program, rt);
  registerAccountsCommand(program, rt);
  registerSyncCommand(program, rt);
  registerPlanCommand(program, rt);
  registerApplyCommand(program, rt);
  registerRunsCommand(program, rt);
  registerMigrateCommand(program, rt);
  registerDriftCommand(program, rt);
  registerRecipesCommand(program, rt);
  registerTokensCommand(program, rt);
  registerSsoCommand(program, rt);
  registerClusterClonerCommand(program, rt);
  registerCompletionCommand(program, rt);
  return program;
}

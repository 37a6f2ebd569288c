import { Command } from 'commander';
import { registerPlanCommand } from './commands/plan';

/** The `dolly` program; each command registers itself from src/commands/. */
export function createProgram(): Command {
  const program = new Command('dolly')
    .description('Dolly: clone Kubernetes clusters between EKS, AKS and GKE')
    .showHelpAfterError();
  registerPlanCommand(program);
  return program;
}

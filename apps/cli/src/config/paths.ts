import { homedir } from 'node:os';
import { join } from 'node:path';

/** DOLLY_CONFIG, else $XDG_CONFIG_HOME/dolly/config.yaml, else ~/.config/dolly/config.yaml. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.DOLLY_CONFIG) return env.DOLLY_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'dolly', 'config.yaml');
}

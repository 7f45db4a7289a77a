// The user's own config folder: $XDG_CONFIG_HOME/claude-fallback, else ~/.config/claude-fallback. It holds the
// user's config (config.yaml, trusted like --config) and the trust store (trusted.json). A repository cannot
// write here, which is why what is here is trusted.

import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The folder; XDG_CONFIG_HOME counts only when absolute, as the XDG Base Directory spec says. */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'claude-fallback');
}

/** The user's own config file in that folder. */
export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(userConfigDir(env), 'config.yaml');
}

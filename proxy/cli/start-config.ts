// The config `start` runs, as the proxy will run it: a repository's untrusted file cut down by proxy/trust/,
// and what was cut named on the terminal (the proxy names it in its log too).

import type { Config } from '../config.ts';
import { loadConfigWithTrust, trustNotice } from '../trust/load.ts';
import { CliError } from './repo.ts';

/** `tell`: print the removals on stderr (with a command; in the foreground the proxy's own log says it there). */
export function loadStartConfig(explicit: string | undefined, repo: string, tell: boolean): Config {
  let loaded;
  try {
    loaded = loadConfigWithTrust({ explicit, repo });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (tell) for (const line of trustNotice(loaded)) process.stderr.write(`claude-fallback: ${line}\n`);
  return loaded.config;
}

// Loads the config that runs: finds it (locateConfig), and when it is a repository's file the user has not
// trusted as it is now, applies the untrusted policy (policy.ts). The one way start, the proxy, the review
// and doctor read a config, so all of them agree on what is trusted.

import { readFileSync } from 'node:fs';
import { ConfigError, locateConfig, parseConfig, type Config, type ConfigOrigin } from '../config.ts';
import { describeRemoval, untrustedConfig, type Removal } from './policy.ts';
import { trustOf } from './store.ts';

export type LoadedConfig = {
  config: Config;
  origin: ConfigOrigin;
  /** `user`: the user's own file or the tool's; `store`: approved with `claude-fallback trust`; `path`: under CLAUDE_FALLBACK_TRUSTED_PATHS; null: untrusted. */
  trust: 'user' | 'store' | 'path' | null;
  /** What the untrusted policy removed (empty when trusted). */
  removals: Removal[];
};

export type LoadOptions = { explicit?: string; repo?: string; env?: NodeJS.ProcessEnv };

export function loadConfigWithTrust(opts: LoadOptions): LoadedConfig {
  const env = opts.env ?? process.env;
  const { file, origin } = locateConfig(opts.explicit, opts.repo, env);
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  // The bytes that are hashed are the bytes that are parsed: no edit can slip in between.
  const written = parseConfig(content.toString('utf8'), file, env);
  if (origin !== 'repository') return { config: written, origin, trust: 'user', removals: [] };
  const trust = trustOf(file, content, env);
  if (trust !== null) return { config: written, origin, trust, removals: [] };
  const { config, removals } = untrustedConfig(written);
  return { config, origin, trust: null, removals };
}

/** The lines that tell the user what an untrusted config lost (none when nothing was removed). */
export function trustNotice(loaded: LoadedConfig): string[] {
  if (loaded.removals.length === 0) return [];
  return [
    `${loaded.config.file} is the repository's own config and you have not trusted it, so what it may not do is ignored:`,
    ...loaded.removals.map((r) => `  ignored ${describeRemoval(r)}`),
    `  to run it as written, read it, then: claude-fallback trust (an edit to the file revokes it)`,
  ];
}

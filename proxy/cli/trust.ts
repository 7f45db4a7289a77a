// `claude-fallback trust [--revoke]`: approves the repository's `.fallbackrc.yaml` as it is now (its path and
// content hash go into the user's trust store), or withdraws that. Until then the file runs cut down to what
// an untrusted config may do (proxy/trust/policy.ts); an edit to the file needs a new `trust`.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../config.ts';
import { describeRemoval, untrustedConfig } from '../trust/policy.ts';
import { revokeFile, storeFile, trustFile } from '../trust/store.ts';
import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import { EXIT } from '../exit-codes.ts';

export const TRUST_HELP = `usage: claude-fallback trust [--revoke] [--repo DIR]

A repository's .fallbackrc.yaml was written by whoever can commit to the repository. Until you
trust it, the proxy runs it without what only you should decide: commands (notify.on_switch,
review.test), notifications, extra headers, \${VAR} outside api_key, a tier 0 other than
Anthropic's own API, and tiers at hosts other than known vendors' APIs.
trust remembers the file's path and content (SHA-256) in your trust store; any edit to the
file (a pull, a checkout) makes it untrusted again until you run trust again.
Your own configs (--config FILE, or ~/.config/claude-fallback/config.yaml) are always trusted.

  --revoke      forget the approval
  --repo DIR    the repository (default: the one of the current directory)
  -h, --help    this help`;

export async function runTrust(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { revoke: { type: 'boolean', default: false } }, TRUST_HELP);
  if (!args) return 0;
  const { values } = args;
  const repo = await findRepo(values.repo ?? process.cwd());
  const file = join(repo.top, '.fallbackrc.yaml');
  if (values.revoke) {
    const was = revokeFile(file);
    process.stdout.write(was ? `${file}: no longer trusted\n` : `${file}: was not trusted\n`);
    return 0;
  }
  if (!existsSync(file))
    throw new CliError(
      `${repo.top} has no .fallbackrc.yaml: nothing to trust (your own config goes in ~/.config/claude-fallback/config.yaml, or pass --config FILE)`,
      EXIT.environment,
    );
  const content = readFileSync(file);
  let removals;
  try {
    // A file that does not load is not approved: what would be trusted must be what runs.
    removals = untrustedConfig(parseConfig(content.toString('utf8'), file)).removals;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`not trusted: ${err.message}`);
    throw err;
  }
  const sha256 = trustFile(file, content);
  process.stdout.write(`${file}: trusted as it is now (sha256 ${sha256.slice(0, 16)}…, in ${storeFile()})\n`);
  if (removals.length > 0) {
    process.stdout.write('It now runs as written; until now the proxy ignored:\n');
    for (const r of removals) process.stdout.write(`  ${describeRemoval(r)}\n`);
  }
  process.stdout.write('An edit to the file makes it untrusted again; a proxy already running keeps the config it started with.\n');
  return 0;
}

// `claude-fallback retry [tier]`: lifts a tier's cooldown (every cooling tier's without a name) so the next
// request tries it; when a higher tier answers again, the proxy switches back to it (POST /retry).

import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import { proxyForRepo } from './status.ts';
import { callProxy } from './proxy-client.ts';
import { EXIT } from '../exit-codes.ts';

export const RETRY_HELP = `usage: claude-fallback retry [TIER] [--repo DIR]

Lifts the cooldown of TIER (of every tier cooling down, without one), so the next request
tries it first again: use it when you know the limit is over (a new subscription window, a
topped-up account). If the tier answers, the proxy switches back to it.

  --repo DIR    the repository (default: the one of the current directory)
  -h, --help    this help`;

export async function runRetry(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {}, RETRY_HELP, true);
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length > 1) throw new CliError(`retry takes at most one tier, got ${positionals.join(' ')}`, EXIT.usage);
  const repo = await findRepo(values.repo ?? process.cwd());
  const proxy = (await proxyForRepo(repo))?.proxy;
  if (!proxy) throw new CliError(`no proxy running for ${repo.top}: nothing to retry`, EXIT.environment);
  const body = positionals[0] ? { tier: positionals[0] } : undefined;
  let answer = await callProxy(proxy.url, 'POST', '/retry', body);
  if (answer.status === 403) {
    const { findConfigFile, loadConfig } = await import('../config.ts');
    answer = await callProxy(proxy.url, 'POST', '/retry', body, 3000, loadConfig(findConfigFile(undefined, repo.top)).proxy.token);
  }
  const json = answer.json as { ready?: string[]; active?: string; error?: { message?: string } };
  if (answer.status === 400) throw new CliError(json.error?.message ?? 'the proxy refused the retry', EXIT.usage);
  if (answer.status !== 200)
    throw new CliError(`the proxy answered POST /retry with ${answer.status}: ${JSON.stringify(answer.json)}`, EXIT.failed);
  const ready = json.ready ?? [];
  if (ready.length)
    process.stdout.write(
      `cooldown lifted: ${ready.join(', ')}; the next request tries ${ready.length === 1 ? 'it' : 'them'} first (active now: ${json.active})\n`,
    );
  else
    process.stdout.write(
      `${positionals[0] ? `${positionals[0]} was not cooling down` : 'no tier was cooling down'}; active: ${json.active}\n`,
    );
  return 0;
}

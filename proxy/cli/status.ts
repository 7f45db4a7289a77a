// `claude-fallback status [--json]`: is a proxy running for this repository, which tier answers and since
// when, each tier's state (cooldown end, last failure), Claude's subscription limits as Anthropic last
// reported them, today's requests, tokens and cost by model, and warnings. Asks the proxy (GET /status).

import { parseCommand } from './args.ts';
import { CliError, findRepo, type Repo } from './repo.ts';
import { repositoryProxy, runningProxy, type ProxyFile } from './proxy-file.ts';
import { readRunFile, runFilePath } from '../run/run-file.ts';
import { callProxy, type Answer } from './proxy-client.ts';
import { formatDuration } from '../duration.ts';
import { renderTable } from '../text-table.ts';
import { tokens, usd, when } from './format.ts';
import { escapeControl } from '../terminal-text.ts';
import { savedUsd, UNPRICED, unpricedNote } from '../money.ts';
import { PRICES_READ_ON } from '../prices.ts';
import type { RunSnapshot } from '../run/snapshot.ts';
import type { UnifiedLimits } from '../status/rate-limits.ts';
import { EXIT } from '../exit-codes.ts';

export const STATUS_HELP = `usage: claude-fallback status [--json] [--repo DIR]

Whether a proxy runs for this repository (pid, address, uptime, log), the tier answering
and since when, each tier's state (cooldown end, last failure), Claude's 5-hour and 7-day
subscription limits when Anthropic reported them, and today's requests, tokens and cost
by model. Exit code 0 when a proxy runs, 3 when none does.

  --json        the same as JSON: {proxy, status} (status is GET /status of the proxy)
  --repo DIR    the repository (default: the one of the current directory)
  -h, --help    this help`;

/** GET /status's body: the Run's one snapshot (proxy/run/snapshot.ts). */
export type ProxyStatus = RunSnapshot;
type Window = UnifiedLimits['five_hour'];

/** GET /status of the repository's proxy; a proxy that wants its token gets the config's. */
export async function fetchStatus(repo: Repo, proxy: ProxyFile): Promise<ProxyStatus> {
  let answer: Answer;
  try {
    answer = await callProxy(proxy.url, 'GET', '/status');
    if (answer.status === 403) {
      const { findConfigFile, loadConfig } = await import('../config.ts');
      const token = loadConfig(findConfigFile(undefined, repo.top)).proxy.token;
      answer = await callProxy(proxy.url, 'GET', '/status', undefined, 3000, token);
    }
  } catch (err) {
    throw new CliError(
      `the proxy for ${repo.top} (pid ${proxy.pid}) does not answer on ${proxy.url}: ${(err as Error).message}`,
      EXIT.failed,
    );
  }
  if (answer.status !== 200)
    throw new CliError(`the proxy answered GET /status with ${answer.status}: ${JSON.stringify(answer.json)}`, EXIT.failed);
  return answer.json as ProxyStatus;
}

/** The repository's running proxy when it serves this work tree, and its status; null otherwise. */
export async function proxyForRepo(repo: Repo): Promise<{ proxy: ProxyFile; status: ProxyStatus } | null> {
  const proxy = runningProxy(repo);
  if (!proxy) return null;
  return { proxy, status: await fetchStatus(repo, proxy) };
}

export function renderStatus(proxy: ProxyFile, s: ProxyStatus, now = Date.now()): string {
  const out: string[] = [];
  out.push(
    `proxy running for ${s.repo}: pid ${proxy.pid}, ${proxy.url}, up ${formatDuration(now - Date.parse(s.started_at))}${proxy.log ? `; log ${proxy.log}` : ''}`,
  );
  const activeIndex = s.tiers.findIndex((t) => t.name === s.active);
  out.push(
    `active: ${s.active}${activeIndex > 0 ? ' (a fallback)' : ''} since ${when(s.run_started_at, now)} (${formatDuration(now - Date.parse(s.run_started_at))})`,
  );
  out.push('', 'tiers:');
  const rows = [['', 'tier', 'state', 'last failure', 'requests']];
  s.tiers.forEach((t, i) => {
    const state = t.cooldown_until
      ? `cooling down until ${when(t.cooldown_until, now)} (${formatDuration(Date.parse(t.cooldown_until) - now)} left)`
      : t.name === s.active
        ? 'active'
        : 'ready';
    const f = t.last_failure
      ? `${t.last_failure.reason}${t.last_failure.status ? ' ' + t.last_failure.status : ''} at ${when(t.last_failure.at, now)}`
      : '-';
    rows.push([String(i), t.name, state, f, `${t.requests} (${t.ok} ok, ${t.failures} failed)`]);
  });
  for (const sk of s.skipped) rows.push(['-', sk.name, `skipped: ${sk.reason}`, '', '']);
  out.push(indent(renderTable(rows)));
  const limits = Object.entries(s.rate_limits);
  out.push('');
  if (limits.length === 0) out.push('Claude subscription limits: not reported (Anthropic sends them to a Claude login, not to an API key)');
  for (const [tier, l] of limits) {
    const w = (label: string, x: Window) => (x ? `${label} ${Math.floor(x.utilization * 100)}% (resets ${when(x.resets_at, now)})` : null);
    const parts = [w('5h', l.five_hour), w('7d', l.seven_day), l.status ? `status ${l.status}` : null].filter(Boolean);
    out.push(`Claude subscription limits (${tier}, as of ${when(l.seen_at, now)}): ${parts.join(', ')}`);
  }
  out.push('', `today (${s.today.date}):`);
  if (s.today.total.requests === 0) out.push('  no requests yet');
  else {
    const urows = [['tier/model', 'requests', 'in', 'out', 'cache read', 'cost', 'cache saved']];
    for (const m of s.today.by_model)
      urows.push([
        `${m.tier}/${m.model}`,
        String(m.requests),
        tokens(m.input_tokens),
        tokens(m.output_tokens),
        tokens(m.cache_read_tokens),
        usd(m.cost_usd),
        savedUsd(m.cache_savings_usd),
      ]);
    const t = s.today.total;
    urows.push([
      'total',
      String(t.requests),
      tokens(t.input_tokens),
      tokens(t.output_tokens),
      tokens(t.cache_read_tokens),
      usd(t.cost_usd),
      savedUsd(t.cache_savings_usd),
    ]);
    out.push(indent(renderTable(urows)));
    if (t.unpriced.length) out.push(`  ${unpricedNote(t.unpriced, PRICES_READ_ON)}`);
  }
  for (const b of s.budgets ?? []) {
    const left = b.reached ? `reached: not used until ${when(b.period_end, now)}` : `period ends ${when(b.period_end, now)}`;
    const unpriced = b.unpriced.length ? ` (${UNPRICED} not counted: ${b.unpriced.join(', ')})` : '';
    out.push(`  budget ${b.tier}: ${usd(b.spent)} of ${usd(b.amount)} a ${b.per} (UTC), ${left}${unpriced}`);
  }
  for (const w of s.warnings) out.push('', `warning: ${escapeControl(w.message)}`); // it quotes a path Claude Code sent
  return out.join('\n');
}

const indent = (text: string) => text.replace(/^/gm, '  ');

export async function runStatus(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { json: { type: 'boolean', default: false } }, STATUS_HELP);
  if (!args) return 0;
  const { values } = args;
  const repo = await findRepo(values.repo ?? process.cwd());
  const found = await proxyForRepo(repo);
  if (!found) {
    // One proxy per repository (docs/git.md): one running for another worktree serves this one's sessions only
    // when they point at it, and a start here is refused while it runs.
    const other = repositoryProxy(repo);
    const stale = other ? null : readRunFile(repo.commonDir);
    const why = stale ? ` (${runFilePath(repo.commonDir)} names pid ${stale.pid}, which is no longer that proxy)` : '';
    const where = other ? (other.file ? `the worktree ${other.file.repo}` : 'another worktree') : '';
    if (values.json)
      process.stdout.write(
        JSON.stringify(
          {
            proxy: null,
            status: null,
            repo: repo.top,
            ...(other
              ? { repository_proxy: { pid: other.running.pid, port: other.file?.port ?? null, worktree: other.file?.repo ?? null } }
              : {}),
          },
          null,
          2,
        ) + '\n',
      );
    else if (other)
      process.stdout.write(
        `no proxy running for ${repo.top}: the repository's proxy (pid ${other.running.pid}${other.file ? `, port ${other.file.port}` : ''}) runs for ${where}, and one proxy serves the whole repository; work there, or stop it to start one here\n`,
      );
    else process.stdout.write(`no proxy running for ${repo.top}${why}; start one: claude-fallback -- claude\n`);
    return EXIT.environment;
  }
  const { proxy, status } = found;
  if (values.json) {
    const uptime = Math.round((Date.now() - Date.parse(status.started_at)) / 1000);
    process.stdout.write(JSON.stringify({ proxy: { ...proxy, uptime_s: uptime }, status }, null, 2) + '\n');
  } else process.stdout.write(renderStatus(proxy, status) + '\n');
  return 0;
}

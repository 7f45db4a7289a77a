// Everything the review reads, loaded once: the repository, its config, the history pass, the tags, the ledger.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import { git, type GitResult } from '../git/git.ts';
import { ledgerPath, type LedgerEvent } from '../git/ledger.ts';
import { timelineEvents, type Summary } from '../ledger/aggregates.ts';
import { openLedgerIndex } from '../ledger/ledger-index.ts';
import { ledgerTiers } from '../ledger/usage-query.ts';
import { activeRun, type ActiveRun } from '../run/active-run.ts';
import { EXIT } from '../exit-codes.ts';
import { ReviewError } from './errors.ts';
import { parseHistory, startHistory, type Commit } from './history.ts';
import { buildGraph, commitStatuses, type Graph, type Status } from './status.ts';
import { listTags, parseRunTags, type RunTag } from './tags.ts';

export type RepoState = {
  repo: string;
  head: string | null;
  config: Config;
  tagPrefix: string;
  ledgerFile: string;
  /**
   * The ledger's start/switch/stop lines, each followed by a stand-in for the latest other line after it (all the
   * timeline and the running proxy need), from its summary; null when the ledger file does not exist yet.
   */
  ledger: LedgerEvent[] | null;
  /** The ledger's summary (usage by UTC day, tier and model; docs/ledger.md), null without a ledger. */
  summary: Summary | null;
  /** The live proxy of this repository (its run file names a running process), or null. */
  proxy: ActiveRun | null;
  commits: Commit[];
  graph: Graph;
  tags: RunTag[];
  statuses: Map<string, Status>;
};

// Review only reads names, prices and the tag prefix, so an unset `${VAR}` must not drop a tier:
// every variable reads as a placeholder that also passes the base_url check.
function tolerantEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return new Proxy(env, {
    get: (target, key) => (typeof key === 'string' ? target[key] || 'http://unset.invalid' : undefined),
  });
}

/** The work tree's top level, the git common dir and HEAD (null before the first commit), from one `rev-parse`. */
export async function openRepo(dir: string): Promise<{ repo: string; commonDir: string; head: string | null }> {
  // rev-parse prints the first two answers even when HEAD does not resolve yet (and then exits 1).
  const r = await git(dir, ['rev-parse', '--show-toplevel', '--git-common-dir', '--verify', '-q', 'HEAD^{commit}'], {
    reject: false,
  }).catch(() => null);
  const [repo, commonDir, head] = r ? r.stdout.split('\n') : [];
  if (!repo || !commonDir) throw new ReviewError(`${dir} is not a git repository (use --repo DIR to point at one)`, EXIT.environment);
  return { repo, commonDir: resolve(dir, commonDir), head: r?.exitCode === 0 && head ? head : null };
}

/** Loads config.ts (and yaml with it) only when asked, so that `git log` is already running by then. */
export async function readConfig(repo: string, explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<Config> {
  const { ConfigError, findConfigFile, loadConfig } = await import('../config.ts');
  try {
    return loadConfig(findConfigFile(explicit, repo), tolerantEnv(env));
  } catch (err) {
    if (err instanceof ConfigError) throw new ReviewError(err.message, EXIT.environment);
    throw err;
  }
}

export async function loadRepoState(dir: string, opts: { config?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RepoState> {
  // The history pass and the tag list start first; everything else is done while git works.
  const failed = (err: unknown): GitResult => ({ stdout: '', stderr: String(err), exitCode: 1 });
  const log = startHistory(dir).catch(failed);
  const tagList = listTags(dir).catch(failed);
  const { repo, commonDir, head } = await openRepo(dir);
  const config = await readConfig(repo, opts.config, opts.env ?? process.env);
  const tagPrefix = config.git.tagPrefix;
  const ledgerFile = ledgerPath(commonDir);
  // The summary, caught up with what was appended since it was written: never a parse of the whole ledger.
  const summary = existsSync(ledgerFile) ? (await openLedgerIndex(ledgerFile).refresh()).snapshot() : null;
  const ledger = summary ? timelineEvents(summary.marks) : null;
  const [history, tagText] = await Promise.all([log, tagList]);
  if (head && history.exitCode !== 0) throw new ReviewError(`git log failed: ${history.stderr.trim()}`, EXIT.failed);
  if (tagText.exitCode !== 0) throw new ReviewError(`git for-each-ref failed: ${tagText.stderr.trim()}`, EXIT.failed);
  const commits = head ? parseHistory(history.stdout) : [];
  const tags = parseRunTags(tagText.stdout, tagPrefix);
  const graph = buildGraph(commits, head);
  const proxy = ledger ? activeRun(commonDir) : null;
  return { repo, head, config, tagPrefix, ledgerFile, ledger, summary, proxy, commits, graph, tags, statuses: commitStatuses(graph, tags) };
}

/** Model names the repository knows of: config tiers, trailers, tags and the ledger. */
export function knownModels(state: RepoState): string[] {
  const names = new Set<string>(state.config.tiers.map((t) => t.name));
  for (const c of state.commits) for (const m of c.models) names.add(m);
  for (const t of state.tags) names.add(t.tier);
  if (state.summary) for (const n of ledgerTiers(state.summary)) names.add(n);
  return [...names].filter((n) => typeof n === 'string' && n !== '');
}

/** The model a user named, or an error that lists the known ones. */
export function requireModel(state: RepoState, name: string): string {
  const known = knownModels(state);
  if (known.includes(name)) return name;
  const list = known.length > 0 ? known.join(', ') : '(none yet)';
  throw new ReviewError(`unknown model "${name}"; known models: ${list}`, EXIT.usage, { known_models: known });
}

/** The ledger's events, or an error that says how to get one. */
export function requireLedger(state: RepoState): LedgerEvent[] {
  if (state.ledger !== null) return state.ledger;
  throw new ReviewError(
    `no ledger yet at ${state.ledgerFile}: start the proxy for this repository (npm start in the claude-fallback project, ` +
      `then point Claude Code at it with ANTHROPIC_BASE_URL); it writes the ledger with its first event`,
    EXIT.environment,
  );
}

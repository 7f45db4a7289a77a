// `git commit` in a repository with the hooks installed and an active non-Claude model, against the same
// commit in a repository without hooks; the two alternate so that machine noise falls on both.

import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo } from '../../test-support/repo.ts';
import { installHooks } from '../install-hooks.mjs';
import { appendLedger, ledgerPath } from '../../proxy/ledger.ts';
import { git, gitCommonDir } from '../../proxy/git.ts';
import { shuffled, summarize, type Summary } from './stats.ts';

export type HooksResults = { commits: number; without: Summary; with: Summary; stamped: boolean; ledgerLines: number };

/** Claude Code's commit message: its trailer is rewritten while another tier answers. */
const MESSAGE = 'Fix the retry loop in the uploader\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n';

async function prepare(hooks: boolean, ledgerLines: number): Promise<string> {
  const repo = await makeRepo(hooks ? 'bench-hooks-' : 'bench-nohooks-');
  writeFileSync(join(repo, 'work.txt'), 'start\n');
  await git(repo, ['add', 'work.txt']);
  await git(repo, ['commit', '-q', '-m', 'initial'], { env: { FALLBACK_SKIP_HOOKS: '1' } });
  if (!hooks) return repo;
  await installHooks(repo);
  const path = ledgerPath(await gitCommonDir(repo));
  appendLedger(path, { kind: 'start', active: 'claude', tiers: ['claude', 'gemini-flash'], pid: process.pid, port: 8000 });
  // A day of use: many usage lines, which the hooks must skip quickly.
  for (let i = 0; i < ledgerLines; i++) {
    appendLedger(path, { kind: 'usage', tier: 'claude', model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 100, cache_read_tokens: 0, cache_write_tokens: 0, ms: 900, stream: true });
  }
  appendLedger(path, { kind: 'switch', from: 'claude', to: 'gemini-flash', reason: 'rate_limit', status: 429, commit: null });
  return repo;
}

async function commit(repo: string, i: number): Promise<number> {
  appendFileSync(join(repo, 'work.txt'), `change ${i}\n`);
  const t0 = performance.now();
  await git(repo, ['commit', '-q', '-a', '-m', MESSAGE]);
  return performance.now() - t0;
}

export async function benchHooks(opts: { commits: number; ledgerLines?: number }): Promise<HooksResults> {
  const ledgerLines = opts.ledgerLines ?? 2000;
  const withRepo = await prepare(true, ledgerLines);
  const withoutRepo = await prepare(false, 0);
  try {
    const times = { with: [] as number[], without: [] as number[] };
    const warm = 3;
    for (let i = 0; i < warm + opts.commits; i++) {
      for (const side of shuffled(['with', 'without'] as const)) {
        const t = await commit(side === 'with' ? withRepo : withoutRepo, i);
        if (i >= warm) times[side].push(t);
      }
    }
    const { stdout } = await git(withRepo, ['log', '-1', '--format=%B']);
    const stamped = stdout.includes('Model: gemini-flash') && stdout.includes('gemini-flash via Claude Code');
    return { commits: opts.commits, without: summarize(times.without), with: summarize(times.with), stamped, ledgerLines };
  } finally {
    rmSync(withRepo, { recursive: true, force: true });
    rmSync(withoutRepo, { recursive: true, force: true });
  }
}

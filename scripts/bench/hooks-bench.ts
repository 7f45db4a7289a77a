// `git commit` in a repository with the hooks installed against the same commit in a repository without hooks;
// the two alternate so that machine noise falls on both. Three cases, each its own row (budget ≤ +50 ms):
// - Claude Code's commit -m (CLAUDECODE=1) while a non-Claude model is active: stamped, Co-Authored-By rewritten;
// - a person's commit of a file a model wrote (found through the ledger's edit lines and one git log);
// - Claude Code's `git commit -v` of a 50,000-line diff (the editor buffer holds the whole diff below the scissors).
// With `notes` (the `notes` part), each hooked commit also gets its line attribution note: a snapshot line (as the
// proxy writes one after a model's Write) comes before each commit, and a case counts only when its last commit's
// note names the model; the note writer runs detached, so the rows show what the commit itself waits for.
// This process plays the live proxy: its pid file and start line, 2,000 usage lines and 500 edit lines; or, for the
// large-ledger rows (ledger-bench.ts), a generated year of ledger below its start line. A commit that takes longer
// than the timeout stops its case, which shows as "timed out" (a miss), and the run goes on.

import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { appendLedger, ledgerPath } from '../../proxy/git/ledger.ts';
import { SKIP_HOOKS_ENV } from '../../proxy/git/git-state.ts';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { stampOf } from '../../proxy/git/run-tag.ts';
import { formatRunFile, runFilePath } from '../../proxy/run/run-file.ts';
import { shuffled, summarize, type Summary } from './stats.ts';
import { ms, signedMs, type Row } from './table.ts';
import { TARGETS } from './targets.ts';
import { snapshotTree } from '../../proxy/attribution/snapshots.ts';
import { readAttribution } from '../../proxy/attribution/read.ts';
import { git as runGit } from '../../proxy/git/git.ts';

const run = promisify(execFile);

export type HooksCase = { commits: number; without: Summary; with: Summary; stamped: boolean; timedOutAfterS?: number; noted?: boolean };
export type HooksResults = {
  ledgerLines: number;
  claudeCode: HooksCase;
  person: HooksCase;
  verbose?: HooksCase & { diffLines: number };
  notes?: boolean;
};
export type HooksOptions = {
  commits: number;
  ledgerLines?: number;
  /** Fills the ledger (instead of the 2,000 usage lines) before this process's start line is appended. */
  ledger?: (path: string) => Promise<void>;
  /** Leave out the `commit -v` case. */
  noVerbose?: boolean;
  /** Per commit (default 60 s). */
  timeoutMs?: number;
  /** Write a model's snapshot before each hooked commit, so its note names the model (the notes rows). */
  notes?: boolean;
};

/** Claude Code's commit message: its trailer is rewritten while another tier answers. */
const MESSAGE = 'Fix the retry loop in the uploader\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n';
const DIFF_LINES = 50_000;
const env = (extra: Record<string, string>) => ({ ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...extra });
const CLAUDE_CODE = env({ CLAUDECODE: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8000' }); // a session on the proxy of the start line
const PERSON = env({ CLAUDECODE: '' });

function makeRepo(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

async function prepare(hooks: boolean, ledgerLines: number, fill?: (path: string) => Promise<void>): Promise<string> {
  const repo = makeRepo(hooks ? 'bench-hooks-' : 'bench-nohooks-');
  const git = (...args: string[]) => run('git', ['-C', repo, ...args], { env: env(SKIP_HOOKS_ENV) });
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.name', 'Bench');
  await git('config', 'user.email', 'bench@example.invalid');
  writeFileSync(join(repo, 'work.txt'), 'start\n');
  writeFileSync(join(repo, 'edited.txt'), 'start\n');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial');
  if (!hooks) return repo;
  await installHooks(repo, { tagPrefix: 'model-' });
  const common = join(repo, '.git');
  const path = ledgerPath(common);
  await fill?.(path);
  writeFileSync(runFilePath(common), `${process.pid} ${processStart(process.pid)}\n`);
  appendLedger(path, { kind: 'start', active: 'claude', tiers: ['claude', 'gemini-flash'], pid: process.pid, port: 8000 });
  // A day of use: many usage lines and edits of other files, which the hooks must skip quickly.
  for (let i = 0; i < ledgerLines; i++) {
    appendLedger(path, {
      kind: 'usage',
      tier: 'claude',
      model: 'claude-sonnet-4-5',
      input_tokens: 1000,
      output_tokens: 100,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 900,
      stream: true,
    });
    if (i % 4 === 0)
      appendLedger(path, { kind: 'edit', tier: 'claude', path: `src/file-${i}.ts`, tool: 'Edit', id: `toolu_bench${i}`, head: null });
  }
  const switched = appendLedger(path, {
    kind: 'switch',
    from: 'claude',
    to: 'gemini-flash',
    reason: 'rate_limit',
    status: 429,
    commit: null,
  });
  // The run file as the live proxy keeps it after that switch (proxy/run/run.ts): line 4 is what the hooks read.
  const info = {
    port: 8000,
    host: '127.0.0.1',
    url: 'http://127.0.0.1:8000',
    worktree: repo,
    log: null,
    launcher: null,
    command: null,
    started: switched.ts,
  };
  const active = { tier: 'gemini-flash', stamp: stampOf(Date.parse(switched.ts)), first: 'claude', port: 8000 };
  writeFileSync(runFilePath(common), formatRunFile({ pid: process.pid, start: processStart(process.pid) ?? '-' }, info, '', active));
  return repo;
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await step();
  return performance.now() - t0;
}

/** Runs `commit` alternately in both repositories; the first `warm` rounds are not counted. A commit killed by its timeout ends the case. */
async function alternate(
  repos: { with: string; without: string },
  rounds: number,
  timeoutS: number,
  commit: (repo: string, i: number, hooked: boolean) => Promise<number>,
) {
  const times = { with: [] as number[], without: [] as number[] };
  const warm = rounds >= 10 ? 2 : 1;
  let timedOutAfterS: number | undefined;
  try {
    for (let i = 0; i < warm + rounds; i++) {
      for (const side of shuffled(['with', 'without'] as const)) {
        const t = await commit(repos[side], i, side === 'with');
        if (i >= warm) times[side].push(t);
      }
    }
  } catch (err) {
    const e = err as { killed?: boolean; signal?: string };
    if (!e.killed && e.signal !== 'SIGTERM') throw err;
    timedOutAfterS = timeoutS;
  }
  return { without: summarize(times.without), with: summarize(times.with), timedOutAfterS };
}

/** The snapshot line the proxy writes after a model's Write of `path`: the work tree now, HEAD, the answer's tier. */
async function snapshotBefore(repo: string, path: string): Promise<void> {
  const tree = await snapshotTree(repo, join(repo, '.git', 'index'), 10 * 2 ** 20, runGit);
  const head = (await run('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
  appendLedger(ledgerPath(join(repo, '.git')), {
    kind: 'snapshot',
    session: 'bench',
    head,
    tree: tree!,
    answer: { tier: 'gemini-flash', model_id: 'google/gemini-2.5-flash', tools: [{ name: 'Write', path }] },
  });
}

/** True when the last commit's note (waited for) names the model for `path`. */
async function noted(repo: string, path: string): Promise<boolean> {
  const note = await readAttribution(repo, 'HEAD', { waitMs: 60_000 }).catch(() => null);
  return (
    note?.files.some(
      (f) => f.path === path && f.ranges.some((r) => r.contributor.type === 'ai' && r.contributor.tier === 'gemini-flash'),
    ) ?? false
  );
}

async function lastMessage(repo: string): Promise<string> {
  return (await run('git', ['-C', repo, 'log', '-1', '--format=%B'])).stdout;
}

export async function benchHooks(opts: HooksOptions): Promise<HooksResults> {
  const ledgerLines = opts.ledger ? 0 : (opts.ledgerLines ?? 2000);
  const timeoutS = Math.round((opts.timeoutMs ?? 60_000) / 1000);
  const timeout = timeoutS * 1000;
  const repos = { with: await prepare(true, ledgerLines, opts.ledger), without: await prepare(false, 0) };
  const editor = join(makeRepo('bench-editor-'), 'editor.sh');
  // The subject typed above what git and the hook put in the buffer.
  writeFileSync(editor, '#!/bin/sh\n{ printf "Regenerate the table\\n"; cat "$1"; } > "$1.new" && mv "$1.new" "$1"\n');
  chmodSync(editor, 0o755);
  try {
    const claudeCode = await alternate(repos, opts.commits, timeoutS, async (repo, i, hooked) => {
      appendFileSync(join(repo, 'work.txt'), `change ${i}\n`);
      if (hooked && opts.notes) await snapshotBefore(repo, 'work.txt');
      return timed(() => run('git', ['-C', repo, 'commit', '-q', '-a', '-m', MESSAGE], { env: CLAUDE_CODE, timeout }));
    });
    const claudeStamped =
      (await lastMessage(repos.with)).includes('Model: gemini-flash') &&
      (await lastMessage(repos.with)).includes('gemini-flash via Claude Code');
    const claudeNoted = opts.notes ? await noted(repos.with, 'work.txt') : undefined;

    const person = await alternate(repos, opts.commits, timeoutS, async (repo, i, hooked) => {
      appendFileSync(join(repo, 'edited.txt'), `change ${i}\n`);
      if (hooked) {
        const head = (await run('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
        appendLedger(ledgerPath(join(repo, '.git')), {
          kind: 'edit',
          tier: 'gemini-flash',
          path: 'edited.txt',
          tool: 'Edit',
          id: `toolu_person${i}`,
          head,
        });
        if (opts.notes) await snapshotBefore(repo, 'edited.txt');
      }
      return timed(() => run('git', ['-C', repo, 'commit', '-q', '-a', '-m', 'Tidy the edited file'], { env: PERSON, timeout }));
    });
    const personStamped = (await lastMessage(repos.with)).includes('Model: gemini-flash');
    const personNoted = opts.notes ? await noted(repos.with, 'edited.txt') : undefined;

    const result: HooksResults = {
      ledgerLines,
      claudeCode: { commits: opts.commits, ...claudeCode, stamped: claudeStamped, ...(opts.notes ? { noted: claudeNoted } : {}) },
      person: { commits: opts.commits, ...person, stamped: personStamped, ...(opts.notes ? { noted: personNoted } : {}) },
      ...(opts.notes ? { notes: true } : {}),
    };
    if (opts.noVerbose) return result;
    const verboseRounds = Math.max(3, Math.round(opts.commits / 4));
    const verbose = await alternate(repos, verboseRounds, timeoutS, async (repo, i, hooked) => {
      writeFileSync(join(repo, 'big.txt'), Array.from({ length: DIFF_LINES }, (_, n) => `round ${i} line ${n}`).join('\n') + '\n');
      await run('git', ['-C', repo, 'add', 'big.txt']);
      if (hooked && opts.notes) await snapshotBefore(repo, 'big.txt');
      return timed(() =>
        run('git', ['-C', repo, 'commit', '-q', '-v'], { env: { ...CLAUDE_CODE, GIT_EDITOR: editor }, maxBuffer: 64 * 2 ** 20, timeout }),
      );
    });
    const verboseMessage = await lastMessage(repos.with);
    const verboseStamped = verboseMessage === 'Regenerate the table\n\nModel: gemini-flash\n\n';
    const verboseNoted = opts.notes ? await noted(repos.with, 'big.txt') : undefined;

    return {
      ...result,
      verbose: {
        commits: verboseRounds,
        ...verbose,
        stamped: verboseStamped,
        diffLines: DIFF_LINES,
        ...(opts.notes ? { noted: verboseNoted } : {}),
      },
    };
  } finally {
    for (const dir of [repos.with, repos.without, join(editor, '..')]) rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows: each case's added median over the same commits without hooks; `label` names the ledger. */
export function hooksRows(
  h: HooksResults,
  label = '',
  limits: { claudeCode: number; person: number; verbose: number } = {
    claudeCode: TARGETS.hooksClaudeCodeAddedMs,
    person: TARGETS.hooksPersonAddedMs,
    verbose: TARGETS.hooksVerboseAddedMs,
  },
): Row[] {
  const row = (what: string, c: HooksCase, limit: number): Row => {
    const note = c.noted === undefined ? '' : c.noted ? ', note written' : ', NO note';
    const name = `git commit${label}: without hooks → with hooks (${what}${c.stamped ? ', stamped' : c.timedOutAfterS ? '' : ', NOT stamped'}${note}), median`;
    if (c.timedOutAfterS !== undefined && c.with.n === 0)
      return {
        row: name,
        baseline: c.without.n ? ms(c.without.median, 1) : '',
        subject: `timed out after ${c.timedOutAfterS} s`,
        delta: '',
        target: `≤ +${limit} ms`,
        met: false,
      };
    const d = c.with.median - c.without.median;
    const cut = c.timedOutAfterS !== undefined ? ` (a commit timed out after ${c.timedOutAfterS} s; ${c.with.n} timed)` : '';
    return {
      row: name + cut,
      baseline: ms(c.without.median, 1),
      subject: ms(c.with.median, 1),
      delta: signedMs(d, 1),
      target: `≤ +${limit} ms`,
      met: d <= limit && c.stamped && c.noted !== false && c.timedOutAfterS === undefined,
    };
  };
  const rows = [
    row('Claude Code, non-Claude model active', h.claudeCode, limits.claudeCode),
    row("a person's commit of a file a model edited", h.person, limits.person),
  ];
  if (h.verbose)
    rows.push(row(`Claude Code, commit -v of a ${h.verbose.diffLines.toLocaleString('en-US')}-line diff`, h.verbose, limits.verbose));
  return rows;
}

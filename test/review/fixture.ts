// Temp git repositories with model commits, run tags and a ledger, and a runner for the real review script.

import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from '../../proxy/git/git.ts';
import { appendLedger, ledgerPath, type LedgerInput } from '../../proxy/git/ledger.ts';

export const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/review.ts');

export async function makeRepo(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'review-'));
  await git(dir, ['init', '-q', '-b', 'main']);
  for (const [k, v] of [
    ['user.name', 'Test'],
    ['user.email', 'test@example.com'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false'],
  ])
    await git(dir, ['config', k, v]);
  return dir;
}

export function removeRepo(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes the files (null deletes), commits them with a `Model:` trailer when a model is given, returns the sha. */
export async function commit(
  dir: string,
  subject: string,
  files: Record<string, string | null>,
  opts: { model?: string; date?: string } = {},
): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    if (text === null) rmSync(full);
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  await git(dir, ['add', '-A']);
  const msg = opts.model ? ['-m', subject, '-m', `Model: ${opts.model}`] : ['-m', subject];
  const date = opts.date ? { GIT_AUTHOR_DATE: opts.date, GIT_COMMITTER_DATE: opts.date } : {};
  await git(dir, ['commit', '-q', '--allow-empty', ...msg], { env: date });
  return (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();
}

export async function tag(dir: string, name: string, rev = 'HEAD'): Promise<void> {
  await git(dir, ['tag', name, rev]);
}

export async function tags(dir: string): Promise<string[]> {
  return (await git(dir, ['tag', '--list'])).stdout.split('\n').filter(Boolean).sort();
}

export async function ledgerFile(dir: string): Promise<string> {
  return ledgerPath(join(dir, '.git'));
}

export async function writeLedger(dir: string, events: LedgerInput[]): Promise<string> {
  const file = await ledgerFile(dir);
  for (const e of events) appendLedger(file, e);
  return file;
}

export type Run = { exitCode: number; stdout: string; stderr: string };

/** Runs `scripts/review.ts` as a process, the way `npx tsx scripts/review.ts …` does (stdout is a pipe: no TTY). */
export async function review(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const r = await execa(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env,
    reject: false,
    stripFinalNewline: false,
  });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function walk(dir: string, base: string, out: Record<string, string>): void {
  for (const name of readdirSync(dir)) {
    if (dir === base && name === '.git') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, base, out);
    else out[full.slice(base.length + 1)] = readFileSync(full).toString('base64');
  }
}

/** Everything a refused or failed operation must leave as it was: HEAD, index, status, file bytes, refs, git state files. */
export async function snapshot(dir: string): Promise<Record<string, unknown>> {
  const files: Record<string, string> = {};
  walk(dir, dir, files);
  const gitFiles = readdirSync(join(dir, '.git'))
    .filter((n) => /^[A-Z_]+$/.test(n))
    .sort();
  const ledger = join(dir, '.git', 'model-ledger');
  return {
    head: (await git(dir, ['rev-parse', 'HEAD'])).stdout,
    index: (await git(dir, ['ls-files', '-s'])).stdout,
    status: (await git(dir, ['status', '--porcelain=v2', '--untracked-files=all'])).stdout,
    refs: (await git(dir, ['for-each-ref', '--format=%(refname) %(objectname)'])).stdout,
    files,
    gitFiles,
    ledger: (() => {
      try {
        return readFileSync(ledger, 'utf8');
      } catch {
        return null;
      }
    })(),
  };
}

export type Fixture = { dir: string; shas: Record<'base' | 'g1' | 'g2' | 'd1' | 'd2' | 'c1' | 'n1', string> };

/**
 * base (no model) → gemini-flash g1, g2 [model-gemini-flash-20261121-100000] → deepseek d1, d2
 * [model-deepseek-20261122-110000] → claude c1 [model-claude-20261123-120000] → n1 (no model).
 * d2 changes line 2 of shared.txt; nothing later touches it, so deepseek reverts cleanly.
 */
export async function buildFixture(): Promise<Fixture> {
  const dir = await makeRepo();
  const base = await commit(
    dir,
    'base',
    { 'README.md': 'hello\n', 'shared.txt': 'line1\nline2\nline3\n' },
    { date: '2026-11-20T09:00:00Z' },
  );
  const g1 = await commit(dir, 'gemini adds a', { 'src/a.ts': 'a1\n' }, { model: 'gemini-flash', date: '2026-11-21T10:00:00Z' });
  const g2 = await commit(
    dir,
    'gemini grows a, adds b',
    { 'src/a.ts': 'a1\na2\n', 'src/b.ts': 'b\n' },
    { model: 'gemini-flash', date: '2026-11-21T10:30:00Z' },
  );
  await tag(dir, 'model-gemini-flash-20261121-100000');
  const d1 = await commit(dir, 'deepseek adds c', { 'src/c.ts': 'c1\nc2\n' }, { model: 'deepseek', date: '2026-11-22T11:00:00Z' });
  const d2 = await commit(
    dir,
    'deepseek edits shared',
    { 'shared.txt': 'line1\nline2 deepseek\nline3\n' },
    { model: 'deepseek', date: '2026-11-22T11:20:00Z' },
  );
  await tag(dir, 'model-deepseek-20261122-110000');
  const c1 = await commit(
    dir,
    'claude writes docs',
    { 'docs/x.md': 'x\n', 'src/b.ts': null },
    { model: 'claude', date: '2026-11-23T12:00:00Z' },
  );
  await tag(dir, 'model-claude-20261123-120000');
  const n1 = await commit(dir, 'human edit', { 'README.md': 'hello\nworld\n' }, { date: '2026-11-23T13:00:00Z' });
  return { dir, shas: { base, g1, g2, d1, d2, c1, n1 } };
}

/** start claude → switch to gemini-flash → deepseek → back to claude → stop, with usage lines between. */
export const LEDGER: LedgerInput[] = [
  { ts: '2026-11-21T09:00:00.000Z', kind: 'start', active: 'claude', tiers: ['claude', 'gemini-flash', 'deepseek'], pid: 1, port: 8000 },
  {
    ts: '2026-11-21T09:30:00.000Z',
    kind: 'usage',
    tier: 'claude',
    model: 'claude-sonnet-4-5-20250929',
    input_tokens: 1000,
    output_tokens: 200,
    cache_read_tokens: 5000,
    cache_write_tokens: 0,
    ms: 900,
    stream: true,
  },
  {
    ts: '2026-11-21T10:00:00.000Z',
    kind: 'switch',
    from: 'claude',
    to: 'gemini-flash',
    reason: 'rate_limit',
    status: 429,
    commit: 'abc123abc123abc123',
    tag: null,
  },
  {
    ts: '2026-11-21T10:10:00.000Z',
    kind: 'usage',
    tier: 'gemini-flash',
    model: 'gemini-2.5-flash',
    input_tokens: 20000,
    output_tokens: 3000,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    ms: 1200,
    stream: true,
  },
  { ts: '2026-11-22T11:00:00.000Z', kind: 'switch', from: 'gemini-flash', to: 'deepseek', reason: 'overloaded', status: 529, commit: null },
  {
    ts: '2026-11-22T11:05:00.000Z',
    kind: 'usage',
    tier: 'deepseek',
    model: 'deepseek-v4-flash',
    input_tokens: 7000,
    output_tokens: 700,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    ms: 800,
    stream: true,
  },
  { ts: '2026-11-23T12:00:00.000Z', kind: 'switch', from: 'deepseek', to: 'claude', reason: 'recovered' },
  {
    ts: '2026-11-23T12:30:00.000Z',
    kind: 'usage',
    tier: 'claude',
    model: 'claude-sonnet-4-5-20250929',
    input_tokens: 3000,
    output_tokens: 400,
    cache_read_tokens: 0,
    cache_write_tokens: 1000,
    ms: 700,
    stream: false,
  },
  { ts: '2026-11-23T14:00:00.000Z', kind: 'stop', active: 'claude' },
];

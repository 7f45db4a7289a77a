// Temp git repositories for the hook tests, isolated from the machine's git config, plus ledger and log helpers.

import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, gitCommonDir, type GitResult } from '../../proxy/git/git.ts';
import { appendLedger, ledgerPath, type LedgerInput } from '../../proxy/git/ledger.ts';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { runFilePath } from '../../proxy/run/run-file.ts';
import { mirrorRunFile } from './proxy-run-file.ts';

export { mirrorRunFile };

// No global or system config (a global core.hooksPath would send the installer elsewhere), no inherited repo.
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';
for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'FALLBACK_SKIP_HOOKS', 'HUSKY']) delete process.env[k];
// The commits these tests make are Claude Code's (its Bash tool sets CLAUDECODE=1) unless a test passes PERSON.
process.env.CLAUDECODE = '1';
// ...and sessions that use the proxy `start` plays: its start line's port (the hooks compare the two).
export const PROXY_URL = 'http://127.0.0.1:8000';
process.env.ANTHROPIC_BASE_URL = PROXY_URL;
export const PERSON = { CLAUDECODE: '' };

export const TIERS = ['claude', 'gemini-flash', 'deepseek'];
export const RUN1 = '2026-11-25T10:00:00.000Z';
export const RUN2 = '2026-11-25T11:02:03.456Z';
export const RUN3 = '2026-11-25T12:30:59.999Z';

export function tempDir(name = 'repo'): string {
  return mkdtempSync(join(tmpdir(), `fallback-${name}-`));
}

/** A fresh repository on branch main with an identity; `initial` makes a first commit with no model active. */
export async function makeRepo(opts: { initial?: boolean } = {}): Promise<string> {
  const repo = tempDir();
  await git(repo, ['init', '-q', '-b', 'main']);
  await git(repo, ['config', 'user.name', 'Test']);
  await git(repo, ['config', 'user.email', 'test@example.invalid']);
  if (opts.initial) await commitFile(repo, 'README', 'start\n', 'Initial commit');
  return repo;
}

export async function ledger(repo: string, event: LedgerInput): Promise<void> {
  const commonDir = await gitCommonDir(repo);
  mirrorRunFile(commonDir, appendLedger(ledgerPath(commonDir), event));
}

/** A proxy started: its start line, and the pid file of a live process (this test process plays the proxy). */
export async function start(repo: string, active = 'claude', ts = RUN1): Promise<void> {
  writeFileSync(runFilePath(await gitCommonDir(repo)), `${process.pid} ${processStart(process.pid)}\n`);
  return ledger(repo, { ts, kind: 'start', active, tiers: TIERS, pid: process.pid, port: Number(new URL(PROXY_URL).port) });
}

/** A recorded edit: `tier` wrote `path` through Claude Code's Write tool, now (HEAD as it is). */
export async function edit(repo: string, tier: string, path: string, ts = new Date().toISOString()): Promise<void> {
  const head = await git(repo, ['rev-parse', '-q', '--verify', 'HEAD'], { reject: false });
  return ledger(repo, {
    ts,
    kind: 'edit',
    tier,
    path,
    tool: 'Write',
    id: `toolu_${Math.random().toString(36).slice(2)}`,
    head: head.exitCode === 0 ? head.stdout.trim() : null,
  });
}

export function switchTo(repo: string, from: string, to: string, ts = RUN2): Promise<void> {
  return ledger(repo, { ts, kind: 'switch', from, to, reason: 'rate_limit', status: 429 });
}

export function stop(repo: string, active: string | null = 'claude'): Promise<void> {
  return ledger(repo, { kind: 'stop', active });
}

/** Writes `file` and commits it with `-m message` (extra args and env go to git commit). */
export async function commitFile(
  repo: string,
  file: string,
  content: string,
  message: string,
  opts: { args?: string[]; env?: Record<string, string> } = {},
): Promise<GitResult> {
  writeFileSync(join(repo, file), content);
  await git(repo, ['add', file]);
  return git(repo, ['commit', '-q', '-m', message, ...(opts.args ?? [])], { env: opts.env });
}

/** The Model trailer values of one commit, as `git log` parses them. */
export async function models(repo: string, rev = 'HEAD'): Promise<string[]> {
  const r = await git(repo, ['log', '-1', '--format=%(trailers:key=Model,valueonly)', rev]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

export async function message(repo: string, rev = 'HEAD'): Promise<string> {
  return (await git(repo, ['log', '-1', '--format=%B', rev])).stdout;
}

export async function subject(repo: string, rev = 'HEAD'): Promise<string> {
  return (await git(repo, ['log', '-1', '--format=%s', rev])).stdout.trim();
}

export async function sha(repo: string, rev = 'HEAD'): Promise<string> {
  return (await git(repo, ['rev-parse', rev])).stdout.trim();
}

/** Every tag with the commit it points at. */
export async function tags(repo: string): Promise<Record<string, string>> {
  const r = await git(repo, ['for-each-ref', '--format=%(refname:short)%00%(objectname)', 'refs/tags']);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const [name, obj] = line.split('\0');
    if (name && obj) out[name] = obj;
  }
  return out;
}

/** An executable sh script, for GIT_EDITOR and hooks of the repository's own. */
export function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

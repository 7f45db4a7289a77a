// The seed's workflow on a repository the real hooks and the proxy's auto-commit produced:
// -a shows each model's work, --accept gemini-flash renames its tags, --rollback deepseek reverts only its pending commits.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { appendLedger, ledgerPath, readLedger, type SwitchReason } from '../../proxy/git/ledger.ts';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { runFilePath } from '../../proxy/run/run-file.ts';
import { commitAtSwitch } from '../../proxy/git/switch-commit.ts';
import type { AnalyzeReport } from '../../proxy/review/analyze.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { makeRepo, removeRepo, review, tags } from './fixture.ts';
import { mirrorRunFile } from '../hooks/proxy-run-file.ts';

/** Claude Code's side (its Bash tool sets CLAUDECODE=1): write files and commit; the hooks add the trailer and the tag. */
async function work(dir: string, subject: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', subject], { env: { CLAUDECODE: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8000' } }); // the session uses the proxy of the start line below
  return (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();
}

describe('review on a repository made by the hooks and the proxy', () => {
  let dir: string;
  let ledger: string;
  const run: Record<string, string> = {};

  /** The proxy's side of a switch: auto-commit the tree, then the ledger line with what it committed. */
  async function switchTo(from: string, to: string, reason: SwitchReason): Promise<void> {
    const r = await commitAtSwitch({ repo: dir, from, to, reason, tagPrefix: 'model-', runStartedAt: run[from] });
    const e = appendLedger(ledger, { kind: 'switch', from, to, reason, commit: r.commit, tag: r.tag });
    mirrorRunFile(join(dir, '.git'), e); // the proxy's line 4, which the hooks read
    run[to] = e.ts;
  }

  beforeAll(async () => {
    dir = await makeRepo();
    await installHooks(dir);
    ledger = ledgerPath(join(dir, '.git'));
    writeFileSync(join(dir, 'app.txt'), 'one\ntwo\nthree\n');
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-q', '-m', 'before the proxy']);
    // This test process plays the proxy: its pid file and its start line.
    writeFileSync(runFilePath(join(dir, '.git')), `${process.pid} ${processStart(process.pid)}\n`);
    const started = appendLedger(ledger, {
      kind: 'start',
      active: 'claude',
      tiers: ['claude', 'gemini-flash', 'deepseek'],
      pid: process.pid,
      port: 8000,
    });
    mirrorRunFile(join(dir, '.git'), started);
    run.claude = started.ts;
    await work(dir, 'claude starts', { 'claude.txt': 'c\n' });
    writeFileSync(join(dir, 'half-done.txt'), 'claude was writing this\n'); // the switch commits it: claude wrote it
    const head = (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();
    appendLedger(ledger, { kind: 'edit', tier: 'claude', path: 'half-done.txt', tool: 'Write', id: 'toolu_01HalfDone', head });
    await switchTo('claude', 'gemini-flash', 'rate_limit');
    await work(dir, 'gemini one', { 'gemini.txt': 'g1\n' });
    await work(dir, 'gemini two', { 'gemini.txt': 'g1\ng2\n' });
    await switchTo('gemini-flash', 'deepseek', 'overloaded');
    await work(dir, 'deepseek one', { 'deepseek.txt': 'd1\n' });
    await work(dir, 'deepseek two', { 'app.txt': 'one\ntwo deepseek\nthree\n' });
    await switchTo('deepseek', 'claude', 'recovered');
    await work(dir, 'claude again', { 'claude.txt': 'c\nc2\n' });
  }, 60_000);
  afterAll(() => removeRepo(dir));

  it('-a shows each model with the commits its run made, the auto-commits included', async () => {
    const r = await review(['-a', '--json', '--repo', dir]);
    expect(r.exitCode).toBe(0);
    const rows = (JSON.parse(r.stdout) as AnalyzeReport).rows;
    const row = (m: string | null) => rows.find((x) => x.model === m);
    // claude: 'claude starts', the auto-commit of its half-done file, 'claude again'
    expect(row('claude')).toMatchObject({ commits: 3, pending: 3, runs: 2 });
    expect(row('gemini-flash')).toMatchObject({ commits: 2, pending: 2, runs: 1 });
    expect(row('deepseek')).toMatchObject({ commits: 2, pending: 2, runs: 1 });
    expect(row(null)).toMatchObject({ commits: 1 });
    const text = await review(['-a', '--repo', dir]);
    for (const m of ['claude', 'gemini-flash', 'deepseek', '(no model)', 'total']) expect(text.stdout).toContain(m);
  });

  it('--accept gemini-flash renames its run tag and nothing else', async () => {
    const before = await tags(dir);
    const geminiTag = before.find((t) => t.startsWith('model-gemini-flash-')) as string;
    expect(geminiTag).toBeDefined();
    const r = await review(['--accept', 'gemini-flash', '--repo', dir]);
    expect(r.exitCode).toBe(0);
    const after = await tags(dir);
    expect(after).toEqual(before.map((t) => (t === geminiTag ? t.replace('model-', 'accepted-') : t)).sort());
  });

  it('--rollback deepseek reverts only its pending commits, unstamped although claude is active', async () => {
    const r = await review(['--rollback', 'deepseek', '--repo', dir]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'deepseek.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'app.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(readFileSync(join(dir, 'gemini.txt'), 'utf8')).toBe('g1\ng2\n');
    expect(readFileSync(join(dir, 'claude.txt'), 'utf8')).toBe('c\nc2\n');
    expect(existsSync(join(dir, 'half-done.txt'))).toBe(true);
    const trailers = (await git(dir, ['log', '-1', '--format=%(trailers:only,unfold)'])).stdout;
    expect(trailers).toContain('Model-Rollback: deepseek');
    expect(trailers).not.toMatch(/^Model: /m);
    expect((await tags(dir)).some((t) => t.startsWith('rolledback-deepseek-'))).toBe(true);
    const a = JSON.parse((await review(['-a', '--json', '--repo', dir])).stdout) as AnalyzeReport;
    expect(a.rows.find((x) => x.model === 'deepseek')).toMatchObject({ pending: 0, rolled_back: 2 });
    expect(a.rows.find((x) => x.model === 'gemini-flash')).toMatchObject({ pending: 0, accepted: 2 });
    expect(
      readLedger(ledger)
        .map((e) => e.kind)
        .slice(-2),
    ).toEqual(['accept', 'rollback']);
  });

  it('--log shows the switches with their auto-commits', async () => {
    const r = await review(['--log', '--json', '--repo', dir]);
    const t = JSON.parse(r.stdout) as { entries: { kind: string; from: string | null; to: string | null; commit: string | null }[] };
    const switches = t.entries.filter((e) => e.kind === 'switch');
    expect(switches.map((e) => `${e.from}->${e.to}`)).toEqual(['claude->gemini-flash', 'gemini-flash->deepseek', 'deepseek->claude']);
    const auto = switches[0].commit as string;
    expect((await git(dir, ['log', '-1', '--format=%s', auto])).stdout.trim()).toBe('Auto-commit before switch to gemini-flash');
  });
});

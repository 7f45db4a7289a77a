// The seed's workflow on a repository the proxy and hooks produced: Claude hits its limit, Gemini and
// then DeepSeek carry on, each commit says who wrote it, and review shows, accepts and rolls back.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, startFakeUpstream } from './helpers/fake-upstream.ts';
import { startHarness } from './helpers/harness.ts';
import { writeTurns } from './helpers/tool-writes.ts';
import { installHooks } from '../proxy/git/install-hooks.mjs';

const ROOT = join(import.meta.dirname, '..');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEYS = { gemini: 'AIza-test-gemini-key-0001', deepseek: 'sk-test-deepseek-key-0002', client: 'sk-ant-test-client-0003' };

describe('the seed workflow', () => {
  it('attributes each model its work, accepts gemini-flash and rolls back only deepseek', async () => {
    let claudeLimited = false;
    let geminiLimited = false;
    const claude = await startFakeUpstream(() =>
      claudeLimited
        ? { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '18000' } }
        : { kind: 'sse', text: fixture('anthropic-stream-text.sse') },
    );
    const gemini = await startFakeUpstream(() =>
      geminiLimited
        ? { kind: 'json', status: 429, body: JSON.parse(fixture('gemini-429.json')) }
        : { kind: 'sse', text: fixture('gemini-stream-text.sse') },
    );
    const deepseek = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        { name: 'gemini-flash', protocol: 'gemini', base_url: gemini.url, api_key: KEYS.gemini, model: 'gemini-2.5-flash' },
        { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: KEYS.deepseek, model: 'deepseek-v4-flash' },
      ],
      git: { auto_commit: true },
    });
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const repo = h.repo;
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    await installHooks(repo);
    writeFileSync(join(repo, '.gitignore'), '.fallbackrc.yaml\n');
    const client = new Anthropic({ apiKey: KEYS.client, baseURL: h.url, maxRetries: 0 });
    /** `written`: files the answering model wrote with its Write tool, whose results this request carries. */
    const ask = (...written: string[]) =>
      client.messages
        .stream({
          model: 'claude-sonnet-4-6',
          max_tokens: 1000,
          messages: [{ role: 'user', content: 'go on' }, ...writeTurns(repo, written)],
        })
        .finalMessage();
    // Claude Code's commits: its Bash tool sets CLAUDECODE=1, which is how the hooks know the commit is its own, and
    // passes the session's ANTHROPIC_BASE_URL on, which is how they know the session uses this proxy.
    const work = (file: string, text: string, subject: string) => {
      writeFileSync(join(repo, file), text);
      git('add', file);
      execFileSync('git', ['-C', repo, 'commit', '-qm', subject], { env: { ...process.env, CLAUDECODE: '1', ANTHROPIC_BASE_URL: h.url } });
    };

    await ask();
    work('.gitignore', '.fallbackrc.yaml\n', 'ignore the local config');
    work('app.txt', 'one\n', 'claude: start the app');
    writeFileSync(join(repo, 'app.txt'), 'one\ntwo (claude, uncommitted)\n');

    claudeLimited = true;
    await ask('app.txt'); // 429 → gemini-flash; the auto-commit keeps claude's uncommitted line as claude's
    work('gemini.txt', 'g1\n', 'gemini: first change');
    work('gemini.txt', 'g1\ng2\n', 'gemini: second change');

    geminiLimited = true;
    await ask(); // gemini 429 (RetryInfo 31s) → deepseek; a clean tree needs no auto-commit
    work('deepseek.txt', 'd1\n', 'deepseek: add a file');
    work('app.txt', 'one\ntwo (claude, uncommitted)\nthree (deepseek)\n', 'deepseek: extend the app');
    // The user fixes the README by hand while deepseek is active: no model wrote it, so no model is stamped.
    writeFileSync(join(repo, 'README.md'), 'fixed by hand\n');
    git('add', 'README.md');
    execFileSync('git', ['-C', repo, 'commit', '-qm', 'fix the README by hand'], { env: { ...process.env, CLAUDECODE: '' } });

    const models = git('log', '--format=%s%x09%(trailers:key=Model,valueonly,separator=%x2C)').trim().split('\n');
    expect(models).toEqual([
      'fix the README by hand\t',
      'deepseek: extend the app\tdeepseek',
      'deepseek: add a file\tdeepseek',
      'gemini: second change\tgemini-flash',
      'gemini: first change\tgemini-flash',
      'Auto-commit before switch to gemini-flash\tclaude',
      'claude: start the app\tclaude',
      'ignore the local config\tclaude',
    ]);
    const decorate = git('log', '--format=%s%x09%D').trim().split('\n');
    expect(decorate.find((l) => l.startsWith('Auto-commit before switch to gemini-flash'))).toMatch(/tag: model-claude-/);
    expect(decorate.find((l) => l.startsWith('gemini: second change'))).toMatch(/tag: model-gemini-flash-/);
    expect(decorate[1]).toMatch(/tag: model-deepseek-/);

    const review = (...args: string[]) =>
      execa('node', ['--import', 'tsx', join(ROOT, 'scripts', 'review.ts'), '--repo', repo, ...args], {
        cwd: ROOT,
        reject: false,
        env: { NO_COLOR: '1' },
      });
    const analyzed = JSON.parse((await review('-a', '--json')).stdout) as {
      rows: { model: string | null; commits: number; pending: number }[];
    };
    const row = (m: string) => analyzed.rows.find((r) => r.model === m);
    expect(row('claude')).toMatchObject({ commits: 3, pending: 3 });
    expect(row('gemini-flash')).toMatchObject({ commits: 2, pending: 2 });
    expect(row('deepseek')).toMatchObject({ commits: 2, pending: 2 });

    const accepted = await review('--accept', 'gemini-flash');
    expect(accepted.exitCode).toBe(0);
    const tags = git('tag').trim().split('\n');
    expect(tags.filter((t) => t.startsWith('accepted-gemini-flash-'))).toHaveLength(1);
    expect(tags.filter((t) => t.startsWith('model-gemini-flash-'))).toHaveLength(0);

    const dry = JSON.parse((await review('--rollback', 'deepseek', '--dry-run', '--json')).stdout) as { commits: { subject: string }[] };
    expect(dry.commits.map((c) => c.subject)).toEqual(['deepseek: extend the app', 'deepseek: add a file']);
    const rolled = await review('--rollback', 'deepseek');
    expect(rolled.exitCode).toBe(0);
    expect(existsSync(join(repo, 'deepseek.txt'))).toBe(false);
    expect(readFileSync(join(repo, 'app.txt'), 'utf8')).toBe('one\ntwo (claude, uncommitted)\n');
    expect(readFileSync(join(repo, 'gemini.txt'), 'utf8')).toBe('g1\ng2\n');
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('fixed by hand\n');
    expect(git('log', '-1', '--format=%(trailers:key=Model-Rollback,valueonly)').trim()).toBe('deepseek');
    expect(git('log', '-1', '--format=%(trailers:key=Model,valueonly)').trim()).toBe('');
    const after = JSON.parse((await review('-a', '--json')).stdout) as {
      rows: { model: string | null; accepted: number; rolled_back: number }[];
    };
    expect(after.rows.find((r) => r.model === 'gemini-flash')).toMatchObject({ accepted: 2 });
    expect(after.rows.find((r) => r.model === 'deepseek')).toMatchObject({ rolled_back: 2 });

    // No key used in this run reached the ledger, the logs or any commit.
    await h.close();
    const everything = [
      readFileSync(join(repo, '.git', 'model-ledger'), 'utf8'),
      h.logs.join('\n'),
      git('log', '--all', '-p', '--format=%B'),
    ].join('\n');
    for (const key of Object.values(KEYS)) expect(everything).not.toContain(key);
    const kinds = h.events().map((e) => e.kind);
    expect(kinds.filter((k) => k === 'switch')).toHaveLength(2);
    expect(kinds).toContain('accept');
    expect(kinds).toContain('rollback');
  });
});

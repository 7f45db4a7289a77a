// The switch's git side through the real proxy: auto-commit and run tag on a repository with no commits,
// a detached HEAD, hooks installed, a locked index that must not hold the request, hooks of the repository that
// must not run, and an intermittent limit that must not make a switch (and a commit and a tag) per request.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { writeTurns } from '../helpers/tool-writes.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const req = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

async function switchingProxy(extra: { notify?: Record<string, unknown> } = {}): Promise<Harness> {
  const limited = await startFakeUpstream(() => ({
    kind: 'json',
    status: 429,
    body: JSON.parse(fixture('anthropic-429.json')),
    headers: { 'retry-after': '3600' },
  }));
  const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: limited.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-deepseek-secret', model: 'deepseek-v4-flash' },
    ],
    git: { auto_commit: true },
    ...extra,
  });
  cleanup.push(
    () => limited.close(),
    () => backup.close(),
    () => h.close(),
  );
  return h;
}

/** One request; `written`: files the answering model wrote with its Write tool, reported done in this request. */
const ask = (h: Harness, ...written: string[]) =>
  new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages
    .stream({ ...req, messages: [...req.messages, ...writeTurns(h.repo, written)] })
    .finalMessage();
const switchLine = (h: Harness) => h.events().filter((e): e is SwitchEvent => e.kind === 'switch');

describe('auto-commit at a switch', () => {
  it('commits the work of the run that ends, tags it, and notifies once, on a repository with no commits yet', async () => {
    const got: unknown[] = [];
    const discord = createServer((r, res) => {
      let body = '';
      r.on('data', (c) => (body += c));
      r.on('end', () => {
        got.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => discord.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(discord.address() as AddressInfo).port}/api/webhooks/1/secret-token`;
    cleanup.push(() => new Promise<void>((r) => discord.close(() => r())));
    const h = await switchingProxy({ notify: { discord: hookUrl } });
    await installHooks(h.repo);
    writeFileSync(join(h.repo, 'work.txt'), 'written by claude\n');

    await Promise.all([ask(h, 'work.txt'), ask(h), ask(h)]);
    const [s] = switchLine(h);
    expect(switchLine(h)).toHaveLength(1);
    expect(s).toMatchObject({ from: 'claude', to: 'deepseek', reason: 'rate_limit' });
    expect(git(h.repo, 'rev-list', '--count', 'HEAD').trim()).toBe('1');
    expect(git(h.repo, 'rev-parse', 'HEAD').trim()).toBe(s.commit);
    const msg = git(h.repo, 'log', '-1', '--format=%B');
    expect(msg).toMatch(/^Auto-commit before switch to deepseek\n/);
    expect(git(h.repo, 'log', '-1', '--format=%(trailers:key=Model,valueonly)').trim()).toBe('claude');
    expect(git(h.repo, 'log', '-1', '--format=%(trailers:key=Model-Switch,valueonly)').trim()).toBe('claude -> deepseek');
    expect(git(h.repo, 'log', '-1', '--format=%(trailers:key=Switch-Reason,valueonly)').trim()).toBe('rate_limit');
    // Claude's file only: the config the person wrote stays out, named as theirs.
    expect(git(h.repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toEqual(['work.txt']);
    expect(msg).toContain("The person's, not committed (no model wrote them), still in the working tree:\n- .fallbackrc.yaml\n");
    expect(git(h.repo, 'tag', '--points-at', 'HEAD').trim()).toBe(s.tag);
    expect(s.tag).toMatch(/^model-claude-\d{8}-\d{6}-\d{3}$/);

    await h.proxy.close(200);
    expect(got).toHaveLength(1);
    expect(JSON.stringify(got[0])).toContain('deepseek');
    const everything = JSON.stringify(got) + h.logs.join('\n') + JSON.stringify(h.events()) + git(h.repo, 'log', '--all', '--format=%B');
    for (const secret of ['secret-token', 'sk-deepseek-secret', 'sk-ant-client']) expect(everything).not.toContain(secret);
  });

  it('then stamps commits made while the fallback answers with its name, and its run tag follows them', async () => {
    const h = await switchingProxy();
    await installHooks(h.repo);
    git(h.repo, 'commit', '--allow-empty', '-qm', 'before');
    await ask(h);
    writeFileSync(join(h.repo, 'b.txt'), 'b\n');
    git(h.repo, 'add', 'b.txt');
    execFileSync('git', ['-C', h.repo, 'commit', '-qm', 'made while deepseek answered'], {
      env: { ...process.env, CLAUDECODE: '1', ANTHROPIC_BASE_URL: h.url },
    }); // Claude Code's commit, its session on the proxy
    expect(git(h.repo, 'log', '-1', '--format=%(trailers:key=Model,valueonly)').trim()).toBe('deepseek');
    expect(git(h.repo, 'tag', '--points-at', 'HEAD').trim()).toBe(runTagName('model-', 'deepseek', switchLine(h)[0].ts));
  });

  it('works on a detached HEAD', async () => {
    const h = await switchingProxy();
    git(h.repo, 'commit', '--allow-empty', '-qm', 'one');
    git(h.repo, 'checkout', '-q', '--detach');
    writeFileSync(join(h.repo, 'x.txt'), 'x\n');
    await ask(h, 'x.txt');
    expect(switchLine(h)[0].commit).toBe(git(h.repo, 'rev-parse', 'HEAD').trim());
    expect(git(h.repo, 'rev-list', '--count', 'HEAD').trim()).toBe('2');
  });

  it('records the switch with commit null when the index stays locked, without holding the request long, and never deletes the lock', async () => {
    const h = await switchingProxy();
    git(h.repo, 'commit', '--allow-empty', '-qm', 'one');
    writeFileSync(join(h.repo, 'x.txt'), 'x\n');
    const lock = join(h.repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    const started = Date.now();
    const m = await ask(h);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(m.content[0]).toMatchObject({ type: 'text' });
    expect(switchLine(h)[0]).toMatchObject({ to: 'deepseek', commit: null });
    expect(h.logs.some((l) => l.startsWith('warning:') && /index\.lock|lock/.test(l))).toBe(true);
    expect(existsSync(lock)).toBe(true);
    expect(git(h.repo, 'rev-list', '--count', 'HEAD').trim()).toBe('1');
  });

  it('GIT_AUTO_COMMIT=false turns the commit off but still records the switch', async () => {
    const limited = await startFakeUpstream(() => ({ kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) }));
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: limited.url },
        { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'k' },
      ],
      git: { auto_commit: true },
      env: { GIT_AUTO_COMMIT: 'false' },
    });
    cleanup.push(
      () => limited.close(),
      () => backup.close(),
      () => h.close(),
    );
    writeFileSync(join(h.repo, 'x.txt'), 'x\n');
    await ask(h);
    expect(switchLine(h)).toMatchObject([{ from: 'claude', to: 'backup', reason: 'overloaded' }]);
    expect(switchLine(h)[0].commit).toBeUndefined();
    expect(() => git(h.repo, 'rev-parse', 'HEAD')).toThrow();
  });

  it("runs none of the repository's hooks at the switch: a 20 s hook and a message-editing hook neither run nor break the trailers", async () => {
    const h = await switchingProxy();
    git(h.repo, 'commit', '--allow-empty', '-qm', 'one');
    const ran = join(h.repo, '.git', 'hook-ran');
    mkdirSync(join(h.repo, '.git', 'hooks'), { recursive: true });
    for (const hook of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit']) {
      const file = join(h.repo, '.git', 'hooks', hook);
      writeFileSync(file, `#!/bin/sh\necho ${hook} >> "${ran}"\nsleep 20\n[ -f "$1" ] && printf '\\nAppended.\\n' >> "$1"\nexit 0\n`, {
        mode: 0o755,
      });
    }
    await installHooks(h.repo); // ours chain the repository's own
    writeFileSync(join(h.repo, 'x.txt'), 'x\n');
    await ask(h, 'x.txt');
    expect(switchLine(h)[0].commit).toBe(git(h.repo, 'rev-parse', 'HEAD').trim());
    expect(existsSync(ran)).toBe(false);
    expect(git(h.repo, 'log', '-1', '--format=%(trailers:key=Model-Switch,valueonly)').trim()).toBe('claude -> deepseek');
  });

  it('records why there is no auto-commit during a bisect, and commits nothing onto its HEAD', async () => {
    const h = await switchingProxy();
    for (const n of [1, 2, 3]) git(h.repo, 'commit', '--allow-empty', '-qm', `c${n}`);
    git(h.repo, 'bisect', 'start', 'HEAD', 'HEAD~2');
    const head = git(h.repo, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(h.repo, 'x.txt'), 'x\n');
    await ask(h);
    expect(switchLine(h)[0]).toMatchObject({
      commit: null,
      commit_skipped: 'auto-commit skipped: git has an operation in progress (BISECT_LOG)',
    });
    expect(git(h.repo, 'rev-parse', 'HEAD').trim()).toBe(head);
  });

  it("keeps the user's staging through the switch's auto-commit, and leaves out .env and files over git.auto_commit_max_file_size", async () => {
    const limited = await startFakeUpstream(() => ({
      kind: 'json',
      status: 429,
      body: JSON.parse(fixture('anthropic-429.json')),
      headers: { 'retry-after': '3600' },
    }));
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const gitConfig = { auto_commit: true, auto_commit_max_file_size: '1KB' } as { auto_commit: boolean };
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: limited.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: backup.url, api_key: 'k' },
      ],
      git: gitConfig,
    });
    cleanup.push(
      () => limited.close(),
      () => backup.close(),
      () => h.close(),
    );
    writeFileSync(join(h.repo, 'a.txt'), 'one\n');
    git(h.repo, 'add', 'a.txt', '.fallbackrc.yaml');
    git(h.repo, 'commit', '-qm', 'start');
    writeFileSync(join(h.repo, 'a.txt'), 'one\ntwo\n');
    git(h.repo, 'add', 'a.txt');
    writeFileSync(join(h.repo, 'a.txt'), 'one\ntwo\nthree\n'); // staged "two", not "three"
    writeFileSync(join(h.repo, 'work.txt'), 'work\n');
    writeFileSync(join(h.repo, '.env'), 'TOKEN=sk-live-secret\n');
    writeFileSync(join(h.repo, 'dump.sql'), 'x'.repeat(2048));
    const staged = git(h.repo, 'ls-files', '-s', 'a.txt');
    await ask(h, 'a.txt', 'work.txt', '.env', 'dump.sql');
    const [s] = switchLine(h);
    expect(s.commit).toBe(git(h.repo, 'rev-parse', 'HEAD').trim());
    expect(git(h.repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toEqual(['a.txt', 'work.txt']);
    expect(git(h.repo, 'log', '-1', '--format=%B')).toContain(
      'Left out, still in the working tree:\n- .env (a secret by its name)\n- dump.sql (2 KB, over the 1 KB limit)\n',
    );
    expect(git(h.repo, 'ls-files', '-s', 'a.txt')).toBe(staged);
    expect(git(h.repo, 'status', '--porcelain')).toBe('MM a.txt\n?? .env\n?? dump.sql\n');
    expect(h.logs.some((l) => l.includes("auto-commit left the person's"))).toBe(false);
    expect(h.logs.some((l) => l.startsWith('warning: auto-commit left out 2 files (.env, dump.sql)'))).toBe(true);
    expect(git(h.repo, 'log', '--all', '-p')).not.toContain('sk-live-secret');
  });

  it('makes a few switches, not one per request, when the limit comes and goes; every run gets its own tag', async () => {
    // A 429 whose reset time is already past (no wait is worth it), on two attempts out of three.
    const past = new Date(Date.now() - 60_000).toISOString();
    const claude = await startFakeUpstream((_req, i) =>
      i % 3 === 2
        ? { kind: 'sse', text: fixture('anthropic-stream-text.sse') }
        : {
            kind: 'json',
            status: 429,
            body: JSON.parse(fixture('anthropic-429.json')),
            headers: { 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': past },
          },
    );
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: backup.url, api_key: 'k' },
      ],
      git: { auto_commit: true },
    });
    cleanup.push(
      () => claude.close(),
      () => backup.close(),
      () => h.close(),
    );
    for (let i = 0; i < 7; i++) {
      writeFileSync(join(h.repo, `work-${i}.txt`), `${i}\n`);
      await ask(h, `work-${i}.txt`); // written by the model that answered the previous request
    }
    const switches = switchLine(h);
    expect(switches.map((s) => `${s.from}->${s.to}`)).toEqual(['claude->deepseek', 'deepseek->claude', 'claude->deepseek']);
    // The third switch is a flap: claude is held off for 30 s however soon its reset said.
    expect(Date.parse(switches[2].retry_at!) - Date.parse(switches[2].ts)).toBeGreaterThanOrEqual(29_000);
    const tagNames = switches.map((s) => s.tag).filter((t): t is string => t !== null && t !== undefined);
    expect(new Set(tagNames).size).toBe(switches.length);
    expect(git(h.repo, 'tag').trim().split('\n').sort()).toEqual([...tagNames].sort());
  });
});

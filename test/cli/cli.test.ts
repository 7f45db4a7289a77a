// The `claude-fallback` subcommands from an installed bin (npm install -g of this clone into a temporary
// prefix, once for the file), against fake upstreams on 127.0.0.1 and the official SDK as Claude Code's stand-in.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import Anthropic from '@anthropic-ai/sdk';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { cliEnv, installFromClone, type Installed } from './installed.ts';
import { makeRepo as makeTempRepo } from '../../test-support/repo.ts';
import { startTree, stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import { fixture, startFakeUpstream, type FakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { parseLedger } from '../../proxy/git/ledger.ts';
import { readRunFile } from '../../proxy/run/run-file.ts';

let cf: Installed;
beforeAll(() => {
  cf = installFromClone();
}, 120_000);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
  stopAllTrees(); // the proxies started here run in process groups of their own, killed whole
});
const repos: string[] = [];
async function makeRepo(...args: Parameters<typeof makeTempRepo>): Promise<string> {
  const repo = await makeTempRepo(...args);
  repos.push(repo);
  return repo;
}
afterAll(async () => {
  expect(await waitForNoLeftovers(repos), 'processes left running in the test repositories').toEqual([]);
});

const TEXT = fixture('anthropic-stream-text.sse');
const env = cliEnv();
const run = (repo: string, args: string[], opts: { input?: string; cwd?: string } = {}) =>
  execa(cf.bin, args, { cwd: opts.cwd ?? repo, env, reject: false, input: opts.input });

type Tier = {
  name: string;
  protocol: string;
  base_url: string;
  api_key?: string;
  model?: string;
  price?: { input: number; output: number };
};
function writeConfig(repo: string, tiers: Tier[], extra: Record<string, unknown> = {}): void {
  const config = {
    proxy: { host: '127.0.0.1', port: 0 },
    tiers,
    fallback: { cooldown: '15m', max_wait: '0s', first_byte_timeout: '5s' },
    git: { auto_commit: false },
    notify: { webhooks: [] },
    ...extra,
  };
  writeFileSync(join(repo, '.fallbackrc.yaml'), JSON.stringify(config)); // JSON is YAML
}

async function fake(handler: Handler): Promise<FakeUpstream> {
  const f = await startFakeUpstream(handler);
  cleanup.push(() => f.close());
  return f;
}

/** `claude-fallback start` in the foreground; resolves with the URL it prints. */
async function startForeground(repo: string, args: string[] = []): Promise<{ url: string; proc: ResultPromise }> {
  const proc = startTree(cf.bin, ['start', '--no-hooks', ...args], { cwd: repo, env, reject: false });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export ANTHROPIC_BASE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void proc.then((r) => reject(new Error(`start exited ${r.exitCode}: ${r.stderr}`)));
  });
  return { url, proc };
}

const unified = (u5h: number, status: string, now = Date.now()) => ({
  'anthropic-ratelimit-unified-status': status,
  'anthropic-ratelimit-unified-5h-utilization': String(u5h),
  'anthropic-ratelimit-unified-5h-reset': String(Math.floor(now / 1000) + 3600),
  'anthropic-ratelimit-unified-7d-utilization': '0.31',
  'anthropic-ratelimit-unified-7d-reset': String(Math.floor(now / 1000) + 3 * 86400),
  'anthropic-ratelimit-unified-representative-claim': 'five_hour',
  'anthropic-ratelimit-unified-reset': String(Math.floor(now / 1000) + 3600),
});

const req = { model: 'claude-opus-4-6', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Read the README' }] };

/** A repository whose proxy fell back: claude answered once (42% of 5h used), then 429 (100%), deepseek took over. */
async function fellBack() {
  const repo = await makeRepo();
  let claudeDown = true;
  const a = await fake((_, i) =>
    i === 0
      ? { kind: 'sse', text: TEXT, headers: unified(0.42, 'allowed') }
      : claudeDown
        ? { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: unified(1, 'rejected') }
        : { kind: 'sse', text: TEXT },
  );
  const b = await fake(() => ({ kind: 'sse', text: TEXT }));
  writeConfig(repo, [
    { name: 'claude', protocol: 'anthropic', base_url: a.url },
    {
      name: 'deepseek',
      protocol: 'anthropic',
      base_url: b.url,
      api_key: 'sk-deepseek-secret',
      model: 'deepseek-v4-flash',
      price: { input: 0.3, output: 1.2 },
    },
  ]);
  const { url, proc } = await startForeground(repo);
  const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: url, maxRetries: 0 });
  await client.messages.stream(req).finalMessage();
  await client.messages.stream(req).finalMessage();
  await new Promise((r) => setTimeout(r, 200)); // the status line file is redrawn 50 ms after a change
  return { repo, a, b, url, proc, client, claudeBack: () => (claudeDown = false) };
}

describe('claude-fallback -- command', () => {
  it('runs the command in the repository with the proxy, and writes nothing but one line of its own to the terminal', async () => {
    const repo = await makeRepo();
    const up = await fake(() => ({ kind: 'sse', text: TEXT }));
    writeConfig(repo, [{ name: 'claude', protocol: 'anthropic', base_url: up.url }]);
    // The command's first request goes out the moment it starts: it must wait for the proxy, not be refused.
    const script = `const r = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', {method: 'POST', headers: {'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01'}, body: JSON.stringify(${JSON.stringify({ ...req, stream: true })})});
console.log('cwd=' + process.cwd()); console.log('status=' + r.status); const t = await r.text(); console.log('stop=' + t.includes('message_stop'));`;
    writeFileSync(join(repo, 'client.mjs'), script);
    const sub = join(repo, 'sub');
    mkdirSync(sub);
    const r = await execa(cf.bin, ['--no-hooks', '--', process.execPath, 'client.mjs'], { cwd: sub, env, reject: false, all: true });
    expect(r.exitCode).toBe(0);
    const lines = r.all!.split('\n').filter(Boolean);
    const gitDir = join(repo, '.git');
    const url = lines[0].split(' ')[2];
    const runLine = `claude-fallback: proxy ${url} for ${repo} · dashboard ${url}/ · log ${join(gitDir, 'fallback-proxy.log')}`;
    expect(lines).toEqual([runLine, `cwd=${repo}`, 'status=200', 'stop=true', runLine]); // before the command, and again after it
    const log = readFileSync(join(gitDir, 'fallback-proxy.log'), 'utf8');
    expect(log).toMatch(/Z claude 200 \d+ms in=12/); // the request's line went to the log, with a timestamp
    expect(log).toMatch(/stopped\n$/);
    expect(existsSync(join(gitDir, 'fallback-proxy.run'))).toBe(false);
    expect(parseLedger(readFileSync(join(gitDir, 'model-ledger'), 'utf8')).map((e) => e.kind)).toEqual(['start', 'usage', 'stop']);
  });

  it('refuses a broken config before the command starts, naming the key and line', async () => {
    const repo = await makeRepo();
    writeFileSync(join(repo, '.fallbackrc.yaml'), 'proxy:\n  port: 0\n  colour: red\ntiers: []\n');
    const r = await execa(cf.bin, ['--', 'sh', '-c', 'echo ran'], { cwd: repo, env, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toContain('ran');
    expect(r.stderr).toContain('.fallbackrc.yaml:3: proxy.colour: unknown key');
  });

  it('refuses a second proxy for the same repository and names the running one', async () => {
    const repo = await makeRepo();
    const up = await fake(() => ({ kind: 'sse', text: TEXT }));
    writeConfig(repo, [{ name: 'claude', protocol: 'anthropic', base_url: up.url }]);
    const { url } = await startForeground(repo);
    const r = await execa(cf.bin, ['--no-hooks', '--', 'sh', '-c', 'echo ran'], { cwd: repo, env, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toContain('ran');
    expect(r.stderr).toContain(`a proxy already runs for ${repo}`);
    expect(r.stderr).toContain(url);
  });
});

describe('status, statusline and retry', () => {
  it("status shows the fallback, the cooldown, the last failure, Claude's limits and today's usage by model", async () => {
    const { repo } = await fellBack();
    const j = await run(repo, ['status', '--json']);
    expect(j.exitCode).toBe(0);
    const { proxy, status } = JSON.parse(j.stdout);
    expect(proxy).toMatchObject({ repo, pid: expect.any(Number), port: expect.any(Number), uptime_s: expect.any(Number) });
    expect(status.active).toBe('deepseek');
    expect(status.tiers[0]).toMatchObject({ name: 'claude', healthy: false, last_failure: { reason: 'rate_limit', status: 429 } });
    expect(Date.parse(status.tiers[0].cooldown_until) - Date.now()).toBeGreaterThan(3500_000); // the unified reset, an hour away
    expect(status.rate_limits.claude).toMatchObject({
      status: 'rejected',
      five_hour: { utilization: 1 },
      seven_day: { utilization: 0.31 },
      representative_claim: 'five_hour',
    });
    const byModel = Object.fromEntries(
      status.today.by_model.map((m: { tier: string; model: string; requests: number }) => [`${m.tier}/${m.model}`, m]),
    );
    expect(byModel['claude/claude-opus-4-6']).toMatchObject({ requests: 1, input_tokens: 12 });
    expect(byModel['deepseek/deepseek-v4-flash']).toMatchObject({ requests: 1 });
    expect(status.today.total.cost_usd).toBeGreaterThan(0);

    const text = await run(repo, ['status']);
    expect(text.stdout).toContain(`proxy running for ${repo}: pid ${proxy.pid}`);
    expect(text.stdout).toMatch(/active: deepseek \(a fallback\) since/);
    expect(text.stdout).toMatch(
      // The reset is an hour ahead: what is left reads 59m Ns, or 1h when status runs within half a second of the 429.
      /claude\s+cooling down until (\w{3} \d+ )?\d\d:\d\d \((59m \d+s|1h) left\)\s+rate_limit 429 at \d\d:\d\d\s+2 \(1 ok, 1 failed\)/,
    );
    expect(text.stdout).toMatch(
      /Claude subscription limits \(claude, as of \d\d:\d\d\): 5h 100% \(resets (\w{3} \d+ )?\d\d:\d\d\), 7d 31%/,
    );
    expect(text.stdout).toMatch(/deepseek\/deepseek-v4-flash\s+1\s/);
  });

  it('statusline prints the fallback, why, when the primary is back, the 5h/7d use and the cost, by node and by the sh fast path alike', async () => {
    const { repo, a } = await fellBack();
    const status = JSON.parse((await run(repo, ['status', '--json'])).stdout).status;
    const back = new Date(Date.parse(status.tiers[0].cooldown_until));
    const hhmm = `${String(back.getHours()).padStart(2, '0')}:${String(back.getMinutes()).padStart(2, '0')}`;
    // Today's cost, then what the fallback tier cost of it.
    const fallback = status.today.by_model.find((m: { tier: string }) => m.tier === 'deepseek');
    const spent = fallback.cost_usd === null ? 'unpriced' : `$${fallback.cost_usd.toFixed(2)}`;
    const expected = `deepseek (fallback: claude rate limit 429, back ~${hhmm}) · claude 5h 100% 7d 31% · today $${status.today.total.cost_usd.toFixed(2)} (deepseek ${spent})`;
    expect(status.statusline).toBe(expected);
    // As Claude Code runs it: session JSON on stdin, from anywhere; the repository comes from workspace.current_dir.
    const session = JSON.stringify({ workspace: { current_dir: join(repo) }, model: { display_name: 'Opus' } });
    const node = await run(repo, ['statusline'], { input: session, cwd: '/' });
    expect(node.stdout).toBe(expected);
    const script = join(cf.prefix, 'lib', 'node_modules', 'claude-fallback', 'scripts', 'cli', 'statusline.sh');
    const sh = await execa('sh', [script, join(repo, '.git', 'fallback-proxy.run')], { input: session, reject: false });
    expect(sh.stdout).toBe(expected);
    // The sh script on its own (as `statusline --settings` prints it for settings.json) finds the file from its directory.
    mkdirSync(join(repo, 'src'));
    expect((await execa('sh', [script], { input: session, cwd: join(repo, 'src'), reject: false })).stdout).toBe(expected);
    const settings = JSON.parse((await run(repo, ['statusline', '--settings'])).stdout);
    expect(settings.statusLine.command).toBe(`sh '${realpathSync(script)}'`);
    expect(a.requests).toHaveLength(2);
  });

  it('statusline says so when no proxy runs', async () => {
    const repo = await makeRepo();
    expect((await run(repo, ['statusline'], { input: '{}' })).stdout).toBe('claude-fallback: no proxy running for this repository');
    expect((await run(repo, ['statusline'], { input: '{}', cwd: '/' })).stdout).toBe('claude-fallback: not in a git repository');
  });

  it('retry lifts the cooldown, the next request goes to claude again, and the proxy switches back', async () => {
    const { repo, a, client, claudeBack } = await fellBack();
    claudeBack();
    const r = await run(repo, ['retry', 'claude']);
    expect(r.stdout).toBe('cooldown lifted: claude; the next request tries it first (active now: deepseek)');
    await client.messages.stream(req).finalMessage();
    expect(a.requests).toHaveLength(3);
    const status = JSON.parse((await run(repo, ['status', '--json'])).stdout).status;
    expect(status.active).toBe('claude');
    expect(status.tiers[0].cooldown_until).toBeNull();
    const switches = parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')).filter((e) => e.kind === 'switch');
    expect(switches.map((s) => (s as { reason: string }).reason)).toEqual(['rate_limit', 'recovered']);

    const again = await run(repo, ['retry']);
    expect(again.stdout).toBe('no tier was cooling down; active: claude');
    const bad = await run(repo, ['retry', 'gemini']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('no tier named "gemini" (tiers: claude, deepseek)');
    const typo = await run(repo, ['retry', 'claud']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr.trim()).toBe('claude-fallback retry: no tier named "claud": did you mean "claude"? (tiers: claude, deepseek)');
  });

  it('status and retry say when no proxy runs for the repository', async () => {
    const repo = await makeRepo();
    const s = await run(repo, ['status']);
    expect(s.exitCode).toBe(3);
    expect(s.stdout).toContain(`no proxy running for ${repo}`);
    const r = await run(repo, ['retry']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('no proxy running');
  });
});

describe('Claude Code working in another repository', () => {
  it('warns once in the log, in status and in the status line, and the switch does not auto-commit this repository', async () => {
    const repo = await makeRepo();
    writeFileSync(join(repo, 'work.txt'), 'uncommitted work of this repository\n');
    const a = await fake(() => ({ kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')) }));
    const b = await fake(() => ({ kind: 'sse', text: TEXT }));
    writeConfig(
      repo,
      [
        { name: 'claude', protocol: 'anthropic', base_url: a.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-d', model: 'deepseek-v4-flash' },
      ],
      { git: { auto_commit: true } },
    );
    const { url, proc } = await startForeground(repo);
    const client = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0 });
    const elsewhere = await makeRepo('other-repo-');
    const system = [
      {
        type: 'text' as const,
        text: `You are Claude Code.\n\nHere is useful information about the environment you are running in:\n<env>\nPrimary working directory: ${elsewhere}\nIs a git repository: true\n</env>`,
      },
    ];
    await client.messages.stream({ ...req, system }).finalMessage();
    await client.messages.stream({ ...req, system }).finalMessage();
    await new Promise((r) => setTimeout(r, 200));

    const status = JSON.parse((await run(repo, ['status', '--json'])).stdout).status;
    expect(status.warnings).toEqual([expect.objectContaining({ kind: 'workdir', dir: elsewhere })]);
    expect(status.statusline).toContain(`⚠ Claude Code works outside ${repo}: no auto-commit`);
    expect((await run(repo, ['statusline'], { input: '{}' })).stdout).toContain('⚠ Claude Code works outside');
    const sw = parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')).find((e) => e.kind === 'switch');
    expect(sw).toMatchObject({ from: 'claude', to: 'deepseek', commit: null });
    expect((await execa('git', ['-C', repo, 'log', '--oneline'], { reject: false })).stdout).toBe(''); // nothing committed
    proc.kill('SIGTERM');
    const r = await proc;
    expect(String(r.stderr).match(/warning: Claude Code works in /g)).toHaveLength(1);
    expect(r.stderr).toContain(`warning: auto-commit skipped: Claude Code works in ${elsewhere}, outside ${repo}`);
  });
});

describe('stop', () => {
  it('stops the running proxy: the ledger gets its stop line and the proxy file goes', async () => {
    const repo = await makeRepo();
    const up = await fake(() => ({ kind: 'sse', text: TEXT }));
    writeConfig(repo, [{ name: 'claude', protocol: 'anthropic', base_url: up.url }]);
    const { proc } = await startForeground(repo);
    const pid = readRunFile(join(repo, '.git'))!.pid;
    const r = await run(repo, ['stop']);
    expect(r.stdout).toBe(`stopped the proxy for ${repo} (pid ${pid})`);
    expect((await proc).exitCode).toBe(143);
    expect(existsSync(join(repo, '.git', 'fallback-proxy.run'))).toBe(false);
    expect(parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')).at(-1)).toMatchObject({ kind: 'stop', active: 'claude' });
  });

  it('closes the run a killed proxy left open, which doctor reports with that fix', async () => {
    const repo = await makeRepo();
    const up = await fake(() => ({ kind: 'sse', text: TEXT }));
    writeConfig(repo, [{ name: 'claude', protocol: 'anthropic', base_url: up.url }]);
    const { url, proc } = await startForeground(repo);
    await new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0 }).messages.stream(req).finalMessage();
    const pid = readRunFile(join(repo, '.git'))!.pid;
    process.kill(pid, 'SIGKILL');
    await proc;
    const d = await run(repo, ['doctor', '--offline']);
    expect(d.exitCode).toBe(1);
    expect(d.stdout).toContain(`✗ ledger: says claude is active since`);
    expect(d.stdout).toContain(`(pid ${pid}) is not running: every commit is stamped Model: claude\n    fix: claude-fallback stop`);
    const r = await run(repo, ['stop']);
    expect(r.stdout).toContain(`the ledger still had claude's run open`);
    expect(parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')).at(-1)).toMatchObject({ kind: 'stop', active: 'claude' });
    expect((await run(repo, ['doctor', '--offline'])).stdout).toContain('✓ ledger:');
  });
});

describe('doctor', () => {
  it('names a broken config with its file and line, and the fix', async () => {
    const repo = await makeRepo();
    writeFileSync(
      join(repo, '.fallbackrc.yaml'),
      'tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n  - name: g\n    protocol: gemeni\n    base_url: https://x\n',
    );
    const r = await run(repo, ['doctor']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `✗ config: ${join(repo, '.fallbackrc.yaml')}:6: tiers[1].protocol: unknown protocol "gemeni": use one of anthropic, openai, gemini\n    fix: edit`,
    );
  });

  it('finds an unreachable tier, a missing key, a tier whose model list answers, and missing hooks, each with its fix', async () => {
    const repo = await makeRepo();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const models = await fake((q) =>
      q.url === '/v1/models' && q.headers['x-api-key'] === 'sk-good'
        ? { kind: 'json', status: 200, body: { data: [{ id: 'deepseek-v4-flash', type: 'model' }], has_more: false } }
        : { kind: 'json', status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } },
    );
    // Gemini refuses a bad key with 400 API_KEY_INVALID (not 401), and a DebugInfo detail that holds the key's prefix:
    // https://github.com/continuedev/continue/issues/8516, https://github.com/google/timesketch/pull/3703
    const gemini = await fake(() => ({
      kind: 'json',
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'API_KEY_INVALID',
              domain: 'googleapis.com',
              metadata: { service: 'generativelanguage.googleapis.com' },
            },
            { '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: 'Invalid API key: AIza-b' },
          ],
        },
      },
    }));
    writeFileSync(
      join(repo, '.fallbackrc.yaml'),
      JSON.stringify({
        proxy: { port: 0 },
        tiers: [
          { name: 'claude', protocol: 'anthropic', base_url: `http://127.0.0.1:${deadPort}` },
          { name: 'good', protocol: 'anthropic', base_url: models.url, api_key: 'sk-good', model: 'deepseek-v4-flash' },
          { name: 'badkey', protocol: 'anthropic', base_url: models.url, api_key: 'sk-bad', model: 'x' },
          {
            name: 'gem',
            protocol: 'gemini',
            base_url: 'https://generativelanguage.googleapis.com',
            api_key: '${CF_TEST_UNSET_KEY}',
            model: 'gemini-2.5-flash',
          },
          { name: 'gembad', protocol: 'gemini', base_url: gemini.url, api_key: 'AIza-bad-key', model: 'gemini-2.5-flash' },
        ],
      }),
    );
    const r = await run(repo, ['doctor']);
    expect(r.exitCode).toBe(1);
    const out = r.stdout;
    expect(out).toContain(
      `✗ tier claude reachable: TCP 127.0.0.1:${deadPort}: connect ECONNREFUSED 127.0.0.1:${deadPort}\n    fix: nothing answers there: check claude's base_url`,
    );
    expect(out).toMatch(
      /✓ tier good reachable: TCP 127\.0\.0\.1:\d+ \(\d+ ms\); GET http:\/\/127\.0\.0\.1:\d+\/v1\/models: 200, key accepted, 1 models/,
    );
    expect(out).toContain('✗ tier badkey reachable:');
    expect(out).toContain('401, the key was refused (invalid x-api-key)\n    fix: check the key');
    expect(out).toContain('! tier gem: skipped: $CF_TEST_UNSET_KEY not set\n    fix: export CF_TEST_UNSET_KEY=…');
    expect(out).toContain('✗ hooks: not installed in');
    expect(out).toContain('fix: claude-fallback hooks install');
    expect(out).toMatch(
      /✗ tier gembad reachable: TCP [^\n]*GET http:\/\/127\.0\.0\.1:\d+\/v1beta\/models: 400, the key was refused \(API key not valid\. Please pass a valid API key\.\)\n    fix: check the key/,
    );
    expect(out).not.toContain('AIza');
    expect(out).not.toContain('sk-good');
    expect(out).not.toContain('sk-bad');
    expect(out).toMatch(/✓ git: git \d+\.\d+/);

    const h = await run(repo, ['hooks', 'install']);
    expect(h.exitCode).toBe(0);
    const again = await run(repo, ['doctor', '--offline', '--json']);
    const hooks = JSON.parse(again.stdout).findings.filter((f: { check: string }) => f.check === 'hooks');
    expect(hooks).toEqual([expect.objectContaining({ status: 'ok' })]);
    const un = await run(repo, ['hooks', 'uninstall']);
    expect(un.exitCode).toBe(0);
    expect(existsSync(join(repo, '.git', 'hooks', 'prepare-commit-msg'))).toBe(false);
  });
});

describe('the other subcommands', () => {
  it('every subcommand answers -h, and an unknown one is refused with the list', async () => {
    const repo = await makeRepo();
    for (const sub of ['start', 'status', 'stop', 'retry', 'doctor', 'statusline', 'hooks']) {
      const r = await run(repo, [sub, '-h']);
      expect(r.exitCode, sub).toBe(0);
      expect(r.stdout, sub).toMatch(new RegExp(`^usage: claude-fallback (\\[start\\]|${sub})`));
    }
    expect((await run(repo, ['review', '-h'])).stdout).toContain('Usage:');
    expect((await run(repo, ['-h'])).stdout).toContain('claude-fallback -- claude');
    const bad = await run(repo, ['stauts']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown subcommand "stauts"');
  });

  it('review runs the review CLI on the repository of the current directory', async () => {
    const repo = await makeRepo();
    await execa('git', ['-C', repo, 'commit', '-q', '--allow-empty', '-m', 'first']);
    const r = await run(repo, ['review', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).rows).toEqual([expect.objectContaining({ model: null, commits: 1 })]);
  });
});

describe('Ctrl-C in the foreground', () => {
  it('says what the grace period waits for, and a second Ctrl-C stops at once with the stop line written', async () => {
    const repo = await makeRepo();
    const upToFirstText = TEXT.slice(0, TEXT.indexOf('\n\n', TEXT.indexOf('content_block_delta')) + 2);
    const up = await fake(() => ({ kind: 'stall-after', text: upToFirstText }));
    writeConfig(repo, [{ name: 'claude', protocol: 'anthropic', base_url: up.url }], {
      fallback: { holdback: '0s', first_byte_timeout: '5s' },
    });
    const { url, proc } = await startForeground(repo);
    const stream = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0 }).messages.stream(req);
    stream.on('error', () => {});
    await new Promise<void>((r) => stream.on('text', () => r()));
    const run = readRunFile(join(repo, '.git'))!;
    const [pid, launcher] = [run.pid, run.info!.launcher!.pid];
    const ctrlC = () => [launcher, pid].forEach((p: number) => process.kill(p, 'SIGINT')); // the terminal signals the whole group
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    ctrlC();
    for (let i = 0; i < 50 && !err.includes('stopping:'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(err).toContain('stopping: waiting up to 5 s for 1 answer still streaming to finish; Ctrl-C again to stop now');
    const t = Date.now();
    ctrlC();
    const r = await proc;
    expect(Date.now() - t).toBeLessThan(2000);
    expect(err).toContain('stopping now');
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain(`claude-fallback: dashboard ${url}/`); // the foreground start says where the dashboard is
    // The cut answer is recorded as incomplete and the run is closed. (server.ts writes the usage line of an answer
    // cut by the shutdown after the stop line; readers do not depend on that order.)
    const events = parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8'));
    expect(events.map((e) => e.kind).sort()).toEqual(['start', 'stop', 'usage']);
    expect(events.find((e) => e.kind === 'usage')).toMatchObject({ incomplete: true });
  });
});

describe('a proxy started by scripts/start.mjs', () => {
  it('is found through its run file by status, retry and stop', async () => {
    const repo = await makeRepo();
    const up = await fake(() => ({ kind: 'sse', text: TEXT }));
    writeConfig(repo, [{ name: 'claude', protocol: 'anthropic', base_url: up.url }]);
    const zx = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'zx');
    const proc = startTree(zx, [join(import.meta.dirname, '..', '..', 'scripts', 'start.mjs'), '--repo', repo, '--no-hooks'], {
      env,
      reject: false,
    });
    await new Promise<void>((r) => proc.stdout!.on('data', (d: Buffer) => d.toString().includes('export ANTHROPIC_BASE_URL') && r()));
    const s = await run(repo, ['status', '--json']);
    expect(s.exitCode).toBe(0);
    expect(JSON.parse(s.stdout).proxy).toMatchObject({ repo, command: null, log: null });
    // A linked worktree shares the ledger, but that proxy is not its own.
    await execa('git', ['-C', repo, 'commit', '-q', '--allow-empty', '-m', 'first']);
    const other = `${repo}-wt`;
    await execa('git', ['-C', repo, 'worktree', 'add', '-q', other]);
    expect((await run(other, ['status'])).exitCode).toBe(3);
    expect((await run(repo, ['retry'])).stdout).toBe('no tier was cooling down; active: claude');
    expect((await run(repo, ['stop'])).stdout).toMatch(/^stopped the proxy for /);
    expect((await proc).exitCode).toBe(143);
  });
});

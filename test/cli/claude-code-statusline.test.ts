// The real Claude Code CLI (npm @anthropic-ai/claude-code, pinned) started as `claude-fallback -- claude` in
// tmux, from the clone installed with `npm install -g .` and from the packed tarball installed into a prefix (the
// status line script then comes from the installed package): its status line shows the proxy's line next to the
// user's own, and changes when a 429 from the fake Anthropic moves the session to the next tier. The screen is read with `tmux capture-pane`.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cliEnv, installFromClone, packedInstall, type Installed } from './installed.ts';
import { claudeBin } from '../helpers/claude-code.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { fixture, startFakeUpstream, type FakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { describeWith, missingPrograms } from '../../test-support/describe-with.ts';

let SESSION = '';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);

async function waitForScreen(re: RegExp, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    last = screen();
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`screen never matched ${re}:\n${last}`);
}

const TEXT = fixture('anthropic-stream-text.sse');
const MESSAGE = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-opus-4-6',
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 5, output_tokens: 1 },
};
/** An Anthropic Messages endpoint: streams when asked to (Claude Code's turns), JSON otherwise. */
const answer: Handler = (r) =>
  (r.json as { stream?: boolean } | null)?.stream ? { kind: 'sse', text: TEXT } : { kind: 'json', status: 200, body: MESSAGE };

let claude: string;
const fakes: FakeUpstream[] = [];
const sessions: string[] = [];
beforeAll(() => {
  if (missingPrograms(['tmux']).length) return; // the groups below are skipped; the run's last line names tmux
  claude = claudeBin();
}, 600_000);
afterAll(async () => {
  for (const s of sessions) {
    try {
      tmux('kill-session', '-t', s);
    } catch {
      // already gone
    }
  }
  for (const f of fakes) await f.close();
});

const installs: [string, () => Promise<Installed> | Installed][] = [
  ['the clone (npm install -g .)', installFromClone],
  ['the packed tarball', packedInstall],
];

for (const [from, install] of installs)
  describeWith(['tmux'])(`Claude Code started by claude-fallback installed from ${from}`, () => {
    let cf: Installed;
    beforeAll(async () => {
      cf = await install();
    }, 600_000);

    it("shows the proxy's status line beside the user's own, and the line changes when a 429 moves the session to the next tier", async () => {
      let claudeDown = false;
      const a = await startFakeUpstream((r, i) =>
        claudeDown && r.url.startsWith('/v1/messages')
          ? { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '3600' } }
          : answer(r, i),
      );
      const b = await startFakeUpstream(answer);
      fakes.push(a, b);
      const repo = await makeRepo();
      // The user's own config, given on the command line (outside the repository).
      const configFile = join(realpathSync(mkdtempSync(join(tmpdir(), 'cc-config-'))), 'fallbackrc.yaml');
      writeFileSync(
        configFile,
        JSON.stringify({
          proxy: { port: 0 },
          tiers: [
            { name: 'claude', protocol: 'anthropic', base_url: a.url },
            { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-deepseek-test', model: 'deepseek-v4-flash' },
          ],
          git: { auto_commit: false },
        }),
      );
      // A fresh HOME: onboarding done, this folder trusted, the API key "x" approved, and a status line of the user's own.
      const home = realpathSync(mkdtempSync(join(tmpdir(), 'cc-home-')));
      writeFileSync(
        join(home, '.claude.json'),
        JSON.stringify({
          hasCompletedOnboarding: true,
          customApiKeyResponses: { approved: ['x'], rejected: [] },
          projects: { [repo]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
        }),
      );
      mkdirSync(join(home, '.claude'));
      writeFileSync(
        join(home, '.claude', 'settings.json'),
        JSON.stringify({ statusLine: { type: 'command', command: 'echo "my own line"' } }),
      );
      const env = cliEnv({
        HOME: home,
        ANTHROPIC_API_KEY: 'x',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        PATH: `${dirname(claudeBin())}:${cliEnv().PATH}`,
      });
      const exports = Object.entries(env)
        .filter(
          ([k, v]) =>
            v !== undefined &&
            /^(HOME|PATH|ANTHROPIC_API_KEY|CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC|GEMINI_API_KEY|DEEPSEEK_API_KEY|DISCORD_WEBHOOK_URL)$/.test(
              k,
            ),
        )
        .map(([k, v]) => `${k}='${v}'`)
        .join(' ');
      expect(existsSync(claude)).toBe(true);
      SESSION = `cf-test-${process.pid}-${sessions.length}`;
      sessions.push(SESSION);
      tmux(
        'new-session',
        '-d',
        '-s',
        SESSION,
        '-x',
        '130',
        '-y',
        '32',
        `cd '${repo}' && env ${exports} '${cf.bin}' --no-hooks --config '${configFile}' -- claude; sleep 60`,
      );

      let s = await waitForScreen(/claude · today \$0\.00/);
      expect(s).toContain('my own line'); // the user's status line is kept, ours is below it
      expect(s.indexOf('my own line')).toBeLessThan(s.indexOf('claude · today'));
      // The line printed before Claude Code took the screen (tmux wraps it at 130 columns).
      const url = s.split('\n')[0].split(' ')[2];
      expect(s.split('\n').slice(0, 3).join('')).toContain(
        `claude-fallback: proxy ${url} for ${repo} · dashboard ${url}/ · log ${join(repo, '.git', 'fallback-proxy.log')}`,
      );

      tmux('send-keys', '-t', SESSION, 'say hello', 'Enter');
      await waitForScreen(/The build passes/);
      s = await waitForScreen(/claude · today \$0\.\d\d/);
      expect(a.requests.some((r) => r.url.startsWith('/v1/messages'))).toBe(true);

      claudeDown = true;
      tmux('send-keys', '-t', SESSION, 'say it again', 'Enter');
      s = await waitForScreen(/deepseek \(fallback: claude rate limit 429, back ~\d\d:\d\d\)/);
      expect(s).toContain('my own line');
      expect(b.requests.some((r) => r.url.startsWith('/v1/messages'))).toBe(true);
      // Nothing of the proxy's log reached the screen.
      expect(s).not.toMatch(/switch claude -> deepseek|deepseek 200 \d+ms|cooldown until/);
      const log = readFileSync(join(repo, '.git', 'fallback-proxy.log'), 'utf8');
      expect(log).toContain('switch claude -> deepseek (rate_limit)');
      expect(log).toMatch(/claude: 429 rate_limit_error \(http:\/\/127\.0\.0\.1:\d+\/v1\/messages\): fallback, rate_limit cooldown until/);

      tmux('send-keys', '-t', SESSION, '/exit', 'Enter');
      const deadline = Date.now() + 15_000;
      while (existsSync(join(repo, '.git', 'fallback-proxy.run')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(join(repo, '.git', 'fallback-proxy.run'))).toBe(false); // Claude Code exited, the proxy stopped with it
      expect(
        readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')
          .trim()
          .split('\n')
          .at(-1),
      ).toContain('"kind":"stop"');
    }, 120_000);
  });

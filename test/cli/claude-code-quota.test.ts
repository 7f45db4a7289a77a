// The real Claude Code CLI (2.1.197, signed in with a subscription token, so it reads the unified rate-limit
// headers) through the proxy with `fallback.switch_before: 97%`: a strict fake Anthropic reports a rising 5-hour
// utilization on its successful answers. Claude Code never sees an error across the quota switch and still gives
// its own usage warnings from Claude's figures (-p runs), and the `rate_limits` of its status line input
// (interactive, in tmux) match what Anthropic sent, since the proxy relays Claude's answers with their headers
// untouched.
//
// Claude Code's status line input: `rate_limits.{five_hour,seven_day}.{used_percentage,resets_at}`, the headers'
// utilization × 100 and reset in Unix seconds, for Claude.ai subscribers after the session's first answer (its
// changelog for 2.1.80, quoted in https://nyosegawa.com/en/posts/claude-code-statusline-rate-limits/; the field's
// shape also in https://github.com/anthropics/claude-code/issues/45133). 2.1.197 builds it from
// `anthropic-ratelimit-unified-{5h,7d}-{utilization,reset}` only when signed in to claude.ai (CLAUDE_CODE_OAUTH_TOKEN
// here; with an API key it is absent), as its bundled client reads.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBin, streamJson } from '../helpers/claude-code.ts';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startStrictAnthropic, unifiedLimitHeaders, type StrictAnthropic } from '../helpers/strict-anthropic.ts';
import { describeWith } from '../../test-support/describe-with.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';

const HOUR = 3600_000;
const TOKEN = 'sk-ant-oat01-e2e-subscription-token';

let bin = '';
beforeAll(() => {
  bin = claudeBin();
}, 600_000);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A Claude subscription whose 5-hour window fills by 3 points an answer from 88%; the 7-day one stays at 41%. */
function rising(reset5h: number, reset7d: number) {
  const utilization = (n: number) => Math.round((0.88 + 0.03 * n) * 100) / 100;
  return {
    utilization,
    limits: (n: number) =>
      unifiedLimitHeaders({ fiveHour: utilization(n), sevenDay: 0.41, fiveHourReset: reset5h, sevenDayReset: reset7d }),
  };
}

async function setup(
  limits: (n: number) => Record<string, string>,
): Promise<{ claude: StrictAnthropic; other: Awaited<ReturnType<typeof startFakeUpstream>>; h: Harness }> {
  const claude = await startStrictAnthropic({ limits });
  const other = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: other.url, api_key: 'sk-deepseek-secret', model: 'deepseek-v4-flash' },
    ],
    fallback: { switch_before: '97%' },
  });
  cleanup.push(
    () => claude.close(),
    () => other.close(),
    () => h.close(),
  );
  return { claude, other, h };
}

/** A HOME where Claude Code is set up (onboarding done, the folder trusted), with `settings` as its user settings. */
function home(repo: string, settings: Record<string, unknown> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cc-quota-home-')));
  writeFileSync(
    join(dir, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      projects: { [repo]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
    }),
  );
  mkdirSync(join(dir, '.claude'));
  writeFileSync(join(dir, '.claude', 'settings.json'), JSON.stringify(settings));
  return dir;
}

function env(h: Harness, homeDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: homeDir,
    ANTHROPIC_BASE_URL: h.url,
    CLAUDE_CODE_OAUTH_TOKEN: TOKEN,
    CLAUDE_CODE_SUBSCRIPTION_TYPE: 'max',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
  };
}

/** What `-p --output-format stream-json` prints after each answer about the subscription (Claude Code 2.1.197). */
type RateLimitEvent = {
  type: 'rate_limit_event';
  rate_limit_info: { status: string; resetsAt?: number; rateLimitType?: string; utilization?: number };
};

const switches = (h: Harness) => h.events().filter((e): e is SwitchEvent => e.kind === 'switch');

describe('Claude Code -p across a quota switch', () => {
  it('never sees an error: Claude answers until its 5-hour window reaches 97%, the next request goes to deepseek', async () => {
    const reset5h = Date.now() + 2 * HOUR;
    const { limits, utilization } = rising(reset5h, Date.now() + 90 * HOUR);
    const { claude, other, h } = await setup(limits);
    const homeDir = home(h.repo);
    const results: { is_error?: boolean; result?: string }[] = [];
    const events: RateLimitEvent['rate_limit_info'][] = [];
    // Each run makes a few requests (the main turn, and its small-model helpers): enough runs to cross 97% and go on.
    for (let run = 0; run < 8 && other.requests.filter((r) => r.url.startsWith('/v1/messages')).length < 2; run++) {
      const r = await execa(bin, ['-p', `say hello (${run})`, '--output-format', 'stream-json', '--verbose'], {
        cwd: h.repo,
        extendEnv: false,
        env: env(h, homeDir),
        stdin: 'ignore',
        reject: false,
        timeout: 120_000,
      });
      expect(r.exitCode, r.stderr + r.stdout.slice(-2000)).toBe(0);
      const lines = streamJson(r.stdout);
      const result = lines.find((l) => l.type === 'result')!;
      expect(result, r.stdout.slice(-2000)).toBeDefined();
      results.push(result);
      // No answer Claude Code got was an API error, before or after the switch.
      expect(lines.filter((l) => l.type === 'assistant' && JSON.stringify(l).includes('API Error'))).toEqual([]);
      events.push(...lines.filter((l) => l.type === 'rate_limit_event').map((l) => (l as unknown as RateLimitEvent).rate_limit_info));
    }
    expect(results.map((r) => r.is_error)).toEqual(results.map(() => false));
    // Claude answered every request it got (no 429: the switch came before the limit) with the subscription's token.
    expect(claude.verdicts.length).toBeGreaterThanOrEqual(4);
    expect(claude.verdicts.every((v) => v.status === 200)).toBe(true);
    const toClaude = claude.requests.filter((r) => r.url.startsWith('/v1/messages'));
    expect(toClaude.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // The switch came right after the first answer at or over 97%, and only then.
    const crossed = [...Array(claude.verdicts.length).keys()].find((n) => utilization(n) >= 0.97)!;
    expect(claude.verdicts).toHaveLength(crossed + 1);
    expect(other.requests.filter((r) => r.url.startsWith('/v1/messages')).length).toBeGreaterThanOrEqual(1);
    expect(switches(h)).toMatchObject([
      { from: 'claude', to: 'deepseek', reason: 'quota', retry_at: new Date(Math.floor(reset5h / 1000) * 1000).toISOString() },
    ]);
    // Claude Code read Claude's own figures through the proxy and warned by itself as the window filled (its
    // usage warnings: `allowed_warning` with the utilization and the 5-hour reset, as Anthropic sent them); it never
    // saw the window as spent.
    const warned = events.filter((e) => e.utilization !== undefined);
    expect(warned.map((e) => e.utilization)).toEqual([1, 2, 3].map(utilization));
    expect(warned.every((e) => e.status === 'allowed_warning' && e.rateLimitType === 'five_hour')).toBe(true);
    expect(warned.every((e) => e.resetsAt === Math.floor(reset5h / 1000))).toBe(true);
    expect(events.some((e) => e.status === 'rejected')).toBe(false);
    // The fallback never got the subscription's token.
    expect(JSON.stringify(other.requests.map((r) => r.headers))).not.toContain(TOKEN);
  }, 600_000);
});

let SESSION = '';
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
afterAll(() => {
  if (!SESSION) return;
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    // already gone
  }
});

type StatusInput = { rate_limits?: Record<'five_hour' | 'seven_day', { used_percentage: number; resets_at: number } | undefined> };

/** The status line inputs Claude Code piped so far (the command below saves each one), oldest first. */
function inputs(dir: string): StatusInput[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => Number(a.slice(0, -5)) - Number(b.slice(0, -5)))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as StatusInput];
      } catch {
        return []; // still being written
      }
    });
}

async function until<T>(what: string, get: () => T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${tmux('capture-pane', '-p', '-t', SESSION)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeWith(['tmux'])("Claude Code's status line input behind the proxy", () => {
  it('carries rate_limits as Anthropic sent them on each answer (headers relayed untouched) up to the quota switch', async () => {
    const reset5h = Date.now() + 2 * HOUR;
    const reset7d = Date.now() + 90 * HOUR;
    const { limits, utilization } = rising(reset5h, reset7d);
    const { claude, other, h } = await setup(limits);
    const saved = realpathSync(mkdtempSync(join(tmpdir(), 'cc-statusline-input-')));
    // The user's own status line command: saves what Claude Code pipes to it, one file per render.
    const homeDir = home(h.repo, {
      statusLine: { type: 'command', command: `cat > "${saved}/$(date +%s%N).json"; echo "saved input"` },
    });
    const exports = Object.entries(env(h, homeDir))
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ');
    SESSION = `cf-quota-${process.pid}`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '140', '-y', '40', `cd '${h.repo}' && env -i ${exports} '${bin}'; sleep 60`);
    await until('the status line', () => (tmux('capture-pane', '-p', '-t', SESSION).includes('saved input') ? true : undefined));

    const messages = (f: typeof claude | typeof other) => f.requests.filter((r) => r.url.startsWith('/v1/messages')).length;
    const latest = () => inputs(saved).at(-1)?.rate_limits;
    for (let turn = 0; turn < 8 && messages(other) === 0; turn++) {
      const before = messages(claude) + messages(other);
      tmux('send-keys', '-t', SESSION, `say hello ${turn}`, 'Enter');
      await until('an answer', () => (messages(claude) + messages(other) > before ? true : undefined));
      // A turn may make more than one request (the main loop and a small-model helper): let it settle.
      for (let seen = -1; seen !== messages(claude) + messages(other);) {
        seen = messages(claude) + messages(other);
        await new Promise((r) => setTimeout(r, 2000));
      }
      if (messages(other) > 0) break;
      // After each of Claude's answers, the status line input has the figures of the latest one Anthropic sent.
      const n = claude.verdicts.length - 1;
      const shown = await until(`rate_limits at ${utilization(n)}`, () => {
        const r = latest();
        return r?.five_hour && Math.abs(r.five_hour.used_percentage - utilization(n) * 100) < 1e-6 ? r : undefined;
      });
      expect(shown.five_hour!.resets_at).toBe(Math.floor(reset5h / 1000));
      expect(shown.seven_day!.used_percentage).toBeCloseTo(41, 6);
      expect(shown.seven_day!.resets_at).toBe(Math.floor(reset7d / 1000));
    }
    expect(switches(h)).toMatchObject([{ from: 'claude', to: 'deepseek', reason: 'quota' }]);
    expect(claude.verdicts.every((v) => v.status === 200)).toBe(true);
    // Every figure the status line was ever given is one Anthropic sent, to the point.
    const sent = claude.verdicts.map((_, n) => utilization(n) * 100);
    for (const r of inputs(saved).flatMap((i) => (i.rate_limits?.five_hour ? [i.rate_limits.five_hour] : [])))
      expect(sent.some((u) => Math.abs(u - r.used_percentage) < 1e-6)).toBe(true);
    // Deepseek answered, without unified headers: Claude Code 2.1.197 then drops rate_limits from its input (it
    // keeps only what the latest answer said). The proxy does not forge Anthropic's headers onto another vendor's
    // answer (Claude Code would warn about a limit it is not using); its own line keeps Claude's last figures.
    await until('a render after the switch', () => (inputs(saved).at(-1)?.rate_limits === undefined ? true : undefined));
    const status = (await (await fetch(`${h.url}/status`)).json()) as { statusline: string };
    expect(status.statusline).toMatch(/^deepseek \(fallback: claude at quota, back ~\d\d:\d\d\) · claude 5h 97% 7d 41% · /);
    expect(tmux('capture-pane', '-p', '-t', SESSION)).not.toMatch(/API Error|rate limit|usage limit reached/i);
    tmux('send-keys', '-t', SESSION, '/exit', 'Enter');
  }, 300_000);
});

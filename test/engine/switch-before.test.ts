// `fallback.switch_before` end to end (docs/fallback.md, "Switch before the limit"): a strict fake Anthropic reports
// a subscription's rising 5-hour/7-day utilization on successful answers; at the threshold the answer is relayed as
// it came and the NEXT request goes to the next tier (no 429 ever), the ledger says `reason: quota`, and tier 0 is
// back by itself after the window's reset (the proxy's clock moved on, no sleeping). Per-minute API-key buckets and
// broken headers never move it.

import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { writeTurns } from '../helpers/tool-writes.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startStrictAnthropic, TEXT_FIXTURE, unifiedLimitHeaders } from '../helpers/strict-anthropic.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';

const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TOOL = fixture('anthropic-stream-tool-use.sse');
const HOUR = 3600_000;
const req = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Read the README' }] };
const switches = (h: Harness) => h.events().filter((e): e is SwitchEvent => e.kind === 'switch');

/** Tier 0 a strict fake Anthropic whose n-th successful answer carries `limits(n)`; tier 1 another Anthropic-protocol fake. */
async function setup(limits: (n: number) => Record<string, string>, fallback: Record<string, string> = { switch_before: '97%' }) {
  const claude = await startStrictAnthropic({ limits });
  const other = await startFakeUpstream(() => ({ kind: 'sse', text: TOOL }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: other.url, api_key: 'sk-deepseek-secret', model: 'deepseek-v4-flash' },
    ],
    fallback,
  });
  cleanup.push(
    () => claude.close(),
    () => other.close(),
    () => h.close(),
  );
  return { claude, other, h, client: new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }) };
}

/** The line Claude Code's status line shows (GET /status carries it). */
async function statusline(h: Harness): Promise<string> {
  return ((await (await fetch(`${h.url}/status`)).json()) as { statusline: string }).statusline;
}

/** The request as Claude Code sends it, read raw: status, headers and the exact bytes of the stream. */
async function raw(h: Harness): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...req, stream: true }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('switch_before on the 5-hour window', () => {
  it('relays the answer that reaches 97% untouched, sends the next request to tier 1 (reason quota), and comes back after the reset', async () => {
    const reset5h = Date.now() + 2 * HOUR;
    const reset7d = Date.now() + 100 * HOUR;
    const rising = [0.9, 0.95, 0.97];
    const { claude, other, h, client } = await setup((n) =>
      unifiedLimitHeaders({
        // After the reset (the proxy's clock moved past it below), the window starts again low.
        fiveHour: n < rising.length ? rising[n] : 0.02,
        sevenDay: 0.4,
        fiveHourReset: n < rising.length ? reset5h : reset5h + 5 * HOUR,
        sevenDayReset: reset7d,
        status: n === 2 ? 'allowed_warning' : 'allowed',
      }),
    );

    await client.messages.stream(req).finalMessage(); // 90%
    await client.messages.stream(req).finalMessage(); // 95%
    expect(claude.verdicts).toHaveLength(2);
    expect(switches(h)).toEqual([]);
    // The status line shows the quota state before the switch, and where it leads.
    expect(await statusline(h)).toMatch(/^claude · 5h 95% 7d 40% → deepseek at 97% · today /);

    // 97%: this answer is Claude's, relayed byte for byte with its headers; nothing switched yet.
    const at97 = await raw(h);
    expect(at97.status).toBe(200);
    expect(at97.text).toBe(TEXT_FIXTURE);
    expect(at97.headers.get('anthropic-ratelimit-unified-5h-utilization')).toBe('0.97');
    expect(at97.headers.get('anthropic-ratelimit-unified-5h-reset')).toBe(String(Math.floor(reset5h / 1000)));
    expect(at97.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed_warning');
    expect(other.requests).toHaveLength(0);

    // The next request goes to tier 1: no 429 came from Claude, and the client sees a normal answer.
    const next = await client.messages.stream(req).finalMessage();
    expect(next.content.find((c) => c.type === 'tool_use')).toMatchObject({ name: 'Read' });
    expect(other.requests).toHaveLength(1);
    expect(claude.verdicts.map((v) => v.status)).toEqual([200, 200, 200]);
    const [sw] = switches(h);
    expect(sw).toMatchObject({ from: 'claude', to: 'deepseek', reason: 'quota' });
    expect(sw.status).toBeUndefined(); // no failing status: the last answer was a 200
    expect(Date.parse(sw.retry_at!)).toBe(Math.floor(reset5h / 1000) * 1000); // back when the 5h window resets
    expect(h.logs.join('\n')).toMatch(/claude: Claude's 5h window at 97%, switch_before 97%: the next request goes to the next tier/);
    expect(h.logs).toContain('switch claude -> deepseek (quota)');

    // Sticky until the reset: another request stays on tier 1, Claude is not asked.
    await client.messages.stream(req).finalMessage();
    expect(claude.verdicts).toHaveLength(3);
    expect(other.requests).toHaveLength(2);
    const status = (await (await fetch(`${h.url}/status`)).json()) as {
      tiers: { state: string; last_failure: { reason: string } | null }[];
    };
    expect(status.tiers[0]).toMatchObject({ state: 'cooling', last_failure: { reason: 'quota' } });
    expect(await statusline(h)).toMatch(/^deepseek \(fallback: claude at quota, back ~\d\d:\d\d\) · claude 5h 97% 7d 40% · today /);

    // Past the reset (on the proxy's clock), tier 0 is tried first again and the proxy switches back by itself.
    h.clock.advance(reset5h - Date.now() + 60_000);
    await client.messages.stream(req).finalMessage();
    expect(claude.verdicts).toHaveLength(4);
    expect(other.requests).toHaveLength(2);
    expect(switches(h).map((s) => [s.from, s.to, s.reason])).toEqual([
      ['claude', 'deepseek', 'quota'],
      ['deepseek', 'claude', 'recovered'],
    ]);
  });

  it('leaves until the 7-day reset when the 7-day window crosses (the 5-hour one resets sooner)', async () => {
    const reset5h = Date.now() + HOUR;
    const reset7d = Date.now() + 50 * HOUR;
    const { other, h, client } = await setup(() =>
      unifiedLimitHeaders({ fiveHour: 0.1, sevenDay: 0.985, fiveHourReset: reset5h, sevenDayReset: reset7d }),
    );
    await client.messages.stream(req).finalMessage();
    await client.messages.stream(req).finalMessage();
    expect(other.requests).toHaveLength(1);
    expect(Date.parse(switches(h)[0].retry_at!)).toBe(Math.floor(reset7d / 1000) * 1000);
    // The 5-hour reset alone does not bring it back.
    h.clock.advance(2 * HOUR);
    await client.messages.stream(req).finalMessage();
    expect(other.requests).toHaveLength(2);
  });
});

describe('a quota switch is a switch like any other', () => {
  it('auto-commits the work of the run that ends (Switch-Reason: quota) and notifies once', async () => {
    const got: string[] = [];
    const discord = createServer((r, res) => {
      let body = '';
      r.on('data', (c) => (body += c));
      r.on('end', () => {
        got.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => discord.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => discord.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(discord.address() as AddressInfo).port}/api/webhooks/1/secret-token`;
    const claude = await startStrictAnthropic({
      limits: () =>
        unifiedLimitHeaders({ fiveHour: 0.98, sevenDay: 0.3, fiveHourReset: Date.now() + HOUR, sevenDayReset: Date.now() + 99 * HOUR }),
    });
    const other = await startFakeUpstream(() => ({ kind: 'sse', text: TOOL }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: other.url, api_key: 'sk-deepseek-secret', model: 'deepseek-v4-flash' },
      ],
      fallback: { switch_before: '97%' },
      git: { auto_commit: true },
      notify: { discord: hookUrl },
    });
    cleanup.push(
      () => claude.close(),
      () => other.close(),
      () => h.close(),
    );
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    writeFileSync(join(h.repo, 'work.txt'), 'written by claude\n');
    await client.messages.stream(req).finalMessage(); // Claude's, at 98%
    // deepseek's; the request carries the result of Claude's Write of work.txt, so the auto-commit takes that file
    await client.messages.stream({ ...req, messages: [...req.messages, ...writeTurns(h.repo, ['work.txt'])] }).finalMessage();
    const [sw] = switches(h);
    expect(sw).toMatchObject({ from: 'claude', to: 'deepseek', reason: 'quota' });
    expect(git(h.repo, 'rev-parse', 'HEAD')).toBe(sw.commit);
    expect(git(h.repo, 'log', '-1', '--format=%(trailers:key=Switch-Reason,valueonly)')).toBe('quota');
    expect(git(h.repo, 'show', '--name-only', '--format=', 'HEAD').split('\n')).toContain('work.txt');
    await h.proxy.close(200);
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('subscription window nearly spent');
    expect(got[0]).toContain('deepseek');
  });
});

describe('switch_before: allowed_warning', () => {
  it("leaves when Anthropic's own status turns allowed_warning, whatever the percentage", async () => {
    const reset5h = Date.now() + 3 * HOUR;
    const { other, h, client } = await setup(
      (n) =>
        unifiedLimitHeaders({
          fiveHour: n === 0 ? 0.5 : 0.8,
          sevenDay: 0.2,
          fiveHourReset: reset5h,
          sevenDayReset: Date.now() + 90 * HOUR,
          status: n === 0 ? 'allowed' : 'allowed_warning',
        }),
      { switch_before: 'allowed_warning' },
    );
    await client.messages.stream(req).finalMessage(); // allowed
    await client.messages.stream(req).finalMessage(); // allowed_warning, on the 5h claim: this answer is still Claude's
    expect(other.requests).toHaveLength(0);
    await client.messages.stream(req).finalMessage();
    expect(other.requests).toHaveLength(1);
    expect(switches(h)[0]).toMatchObject({ reason: 'quota', retry_at: new Date(Math.floor(reset5h / 1000) * 1000).toISOString() });
  });
});

describe('what never moves the proxy off tier 0', () => {
  it('the per-minute API-key buckets, even spent (requests/tokens remaining 0): a throttle is not a quota', async () => {
    const inAMinute = new Date(Date.now() + 60_000).toISOString();
    const { other, h, client } = await setup(() => ({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': inAMinute,
      'anthropic-ratelimit-tokens-limit': '30000',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': inAMinute,
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-output-tokens-remaining': '0',
    }));
    for (let i = 0; i < 3; i++) await client.messages.stream(req).finalMessage();
    expect(other.requests).toHaveLength(0);
    expect(switches(h)).toEqual([]);
  });

  it('malformed or out-of-range unified headers: ignored for routing, never a 500', async () => {
    const later = String(Math.floor((Date.now() + HOUR) / 1000));
    const broken: Record<string, string>[] = [
      { 'anthropic-ratelimit-unified-5h-utilization': 'abc', 'anthropic-ratelimit-unified-5h-reset': later },
      { 'anthropic-ratelimit-unified-5h-utilization': '1e308', 'anthropic-ratelimit-unified-5h-reset': later },
      { 'anthropic-ratelimit-unified-5h-utilization': '-0.5', 'anthropic-ratelimit-unified-5h-reset': later },
      { 'anthropic-ratelimit-unified-5h-utilization': '0.99', 'anthropic-ratelimit-unified-5h-reset': 'soon' },
      { 'anthropic-ratelimit-unified-5h-utilization': '0.99' }, // no reset: never left for an unknown time
      // A reset already past: nothing to wait for.
      {
        'anthropic-ratelimit-unified-5h-utilization': '0.99',
        'anthropic-ratelimit-unified-5h-reset': String(Math.floor(Date.now() / 1000) - 60),
      },
      { 'anthropic-ratelimit-unified-status': 'allowed_warning', 'anthropic-ratelimit-unified-7d-utilization': '0.99x' },
    ];
    const { other, h } = await setup((n) => broken[n] ?? {});
    for (let i = 0; i < broken.length; i++) expect((await raw(h)).status).toBe(200);
    expect(other.requests).toHaveLength(0);
    expect(switches(h)).toEqual([]);
  });

  it('no switch_before (the default): 99% is shown, but the proxy waits for the 429', async () => {
    const { other, h, client } = await setup(
      () => unifiedLimitHeaders({ fiveHour: 0.99, sevenDay: 0.99, fiveHourReset: Date.now() + HOUR, sevenDayReset: Date.now() + 9 * HOUR }),
      {},
    );
    for (let i = 0; i < 3; i++) await client.messages.stream(req).finalMessage();
    expect(other.requests).toHaveLength(0);
    expect(switches(h)).toEqual([]);
    expect(await statusline(h)).toMatch(/^claude · 5h 99% 7d 99% · today /); // as before switch_before existed
  });
});

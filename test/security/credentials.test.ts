// Issue 12, item 3: Claude Code's own credentials (API key or subscription token) go only to a
// first-party Anthropic tier: tier 0 (the user's primary), a tier at api.anthropic.com, or a gateway
// the user explicitly marks `credentials: client`. Any other keyless anthropic tier is a config error
// naming it. And what held up: no key, token or webhook URL in the ledger, logs, commits or
// notifications, and each upstream sees only its own key.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { execFileSync } from 'node:child_process';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLooseHarness, ASK, type LooseTier } from '../helpers/loose-tiers.ts';
import { startScriptedUpstream } from '../helpers/scripted-upstream.ts';
import type { Harness } from '../helpers/harness.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const CLIENT_KEY = 'sk-ant-api03-client-key-0123456789';
const CLIENT_TOKEN = 'sk-ant-oat01-client-subscription-token';
const TEXT = fixture('anthropic-stream-text.sse');
const limited = () => ({
  kind: 'json' as const,
  status: 429,
  body: JSON.parse(fixture('anthropic-429.json')),
  headers: { 'retry-after': '3600' },
});

/** Claude Code signed in both ways at once: x-api-key and Authorization: Bearer (the SDK sends the token; the key rides as a header). */
const client = (h: Harness) =>
  new Anthropic({ authToken: CLIENT_TOKEN, baseURL: h.url, maxRetries: 0, defaultHeaders: { 'x-api-key': CLIENT_KEY } });

async function fallbackTo(second: (url: string) => LooseTier): Promise<{ h: Harness; b: FakeUpstream }> {
  const a = await startFakeUpstream(limited);
  const b = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
  cleanup.push(
    () => a.close(),
    () => b.close(),
  );
  const h = await startLooseHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: a.url }, second(b.url)] });
  cleanup.push(() => h.close());
  return { h, b };
}

describe("the client's credentials (item 3)", () => {
  it('refuses a keyless anthropic tier after tier 0 whose host is not api.anthropic.com, naming the tier and the opt-in', async () => {
    const b = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
    cleanup.push(() => b.close());
    const start = startLooseHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:1' },
        { name: 'gateway', protocol: 'anthropic', base_url: b.url },
      ],
    });
    await expect(start).rejects.toThrow(/tiers\[1\].*"gateway"/);
    await expect(start).rejects.toThrow(/credentials: client/);
  });

  it('accepts a keyless tier after tier 0 at https://api.anthropic.com (Anthropic itself)', async () => {
    const h = await startLooseHarness({
      tiers: [
        { name: 'deepseek', protocol: 'anthropic', base_url: 'http://127.0.0.1:1', api_key: 'sk-deepseek' },
        { name: 'claude', protocol: 'anthropic', base_url: 'https://api.anthropic.com' },
      ],
    });
    cleanup.push(() => h.close());
    expect(h.config.tiers.map((t) => t.name)).toEqual(['deepseek', 'claude']);
  });

  it("with credentials: client, a gateway that fronts Anthropic gets Claude Code's credentials after a fallback", async () => {
    const { h, b } = await fallbackTo((url) => ({ name: 'gateway', protocol: 'anthropic', base_url: url, credentials: 'client' }));
    await client(h).messages.stream(ASK).finalMessage();
    expect(b.requests).toHaveLength(1);
    expect(b.requests[0].headers['x-api-key']).toBe(CLIENT_KEY);
    expect(b.requests[0].headers.authorization).toBe(`Bearer ${CLIENT_TOKEN}`);
  });

  it("never sends the client's credentials to a tier whose own key is in its headers (x-api-key or authorization)", async () => {
    for (const own of [{ 'x-api-key': 'gw-own-key' }, { authorization: 'Bearer gw-own-token' }]) {
      const { h, b } = await fallbackTo((url) => ({ name: 'gateway', protocol: 'anthropic', base_url: url, headers: own }));
      await client(h).messages.stream(ASK).finalMessage();
      const seen = b.requests[0].headers;
      expect(JSON.stringify(seen)).not.toContain(CLIENT_KEY);
      expect(JSON.stringify(seen)).not.toContain(CLIENT_TOKEN);
      for (const [k, v] of Object.entries(own)) expect(seen[k]).toBe(v);
      while (cleanup.length) await cleanup.pop()!();
    }
  });

  it('refuses credentials: client on a tier with its own api_key, on a non-anthropic tier, and any other value', async () => {
    const base = { name: 'claude', protocol: 'anthropic' as const, base_url: 'http://127.0.0.1:1' };
    const cases: [LooseTier, RegExp][] = [
      [
        { name: 'gw', protocol: 'anthropic', base_url: 'http://127.0.0.1:2', api_key: 'k', credentials: 'client' },
        /tiers\[1\]\.credentials: .*api_key.*remove one/,
      ],
      [
        { name: 'oa', protocol: 'openai', base_url: 'http://127.0.0.1:2', api_key: 'k', model: 'm', credentials: 'client' },
        /tiers\[1\]\.credentials: only an anthropic tier/,
      ],
      [
        { name: 'gw', protocol: 'anthropic', base_url: 'http://127.0.0.1:2', credentials: 'mine' },
        /tiers\[1\]\.credentials: unknown value "mine"/,
      ],
    ];
    for (const [tier, message] of cases) await expect(startLooseHarness({ tiers: [base, tier] })).rejects.toThrow(message);
  });
});

describe('no secret leaves its place (held up)', () => {
  it('each upstream sees only its own key; no key, token or webhook URL reaches ledger, logs, commits or notifications', async () => {
    const got: string[] = [];
    const hooks = await startScriptedUpstream((r, res) => {
      got.push(r.body.toString('utf8'));
      res.writeHead(204).end();
    });
    cleanup.push(() => hooks.close());
    const claude = await startFakeUpstream(limited);
    const openai = await startFakeUpstream(() => ({
      kind: 'json',
      status: 500,
      body: { error: { message: 'The server had an error', type: 'server_error' } },
    }));
    const gemini = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('gemini-stream-text.sse') }));
    cleanup.push(
      () => claude.close(),
      () => openai.close(),
      () => gemini.close(),
    );
    const webhook = `${hooks.url}/hooks/webhook-secret-path`;
    const discord = `${hooks.url}/api/webhooks/1/discord-secret-token`;
    const h = await startLooseHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        { name: 'openrouter', protocol: 'openai', base_url: openai.url, api_key: 'sk-or-openai-secret', model: 'qwen' },
        { name: 'gemini', protocol: 'gemini', base_url: gemini.url, api_key: 'AIza-gemini-secret', model: 'gemini-2.5-flash' },
      ],
      git: { auto_commit: true },
      notify: { webhooks: [webhook], discord },
    });
    cleanup.push(() => h.close());
    const m = await client(h).messages.stream(ASK).finalMessage();
    expect(m.content[0]).toMatchObject({ type: 'text' });
    await h.proxy.close(500);

    expect(claude.requests[0].headers['x-api-key']).toBe(CLIENT_KEY);
    expect(openai.requests[0].headers.authorization).toBe('Bearer sk-or-openai-secret');
    expect(gemini.requests[0].headers['x-goog-api-key']).toBe('AIza-gemini-secret');
    const seenBy = (up: FakeUpstream) => JSON.stringify(up.requests.map((r) => [r.url, r.headers, r.body.toString('utf8')]));
    for (const secret of [CLIENT_KEY, CLIENT_TOKEN, 'AIza-gemini-secret']) expect(seenBy(openai)).not.toContain(secret);
    for (const secret of [CLIENT_KEY, CLIENT_TOKEN, 'sk-or-openai-secret']) expect(seenBy(gemini)).not.toContain(secret);
    for (const secret of ['sk-or-openai-secret', 'AIza-gemini-secret']) expect(seenBy(claude)).not.toContain(secret);

    expect(got.length).toBeGreaterThanOrEqual(2); // the switch reached the webhook and Discord
    const commits = execFileSync('git', ['-C', h.repo, 'log', '--all', '--format=%B'], { encoding: 'utf8' });
    const everything = [JSON.stringify(h.events()), h.logs.join('\n'), commits, got.join('\n')].join('\n');
    for (const secret of [
      CLIENT_KEY,
      CLIENT_TOKEN,
      'sk-or-openai-secret',
      'AIza-gemini-secret',
      'webhook-secret-path',
      'discord-secret-token',
    ])
      expect(everything, secret).not.toContain(secret);
  });
});

// A lower tier's refusals (a 4xx that is not a rate limit): each counts as the tier's failure in
// GET /status, and the third of one kind in a row cools the tier down like a failing tier, with a log
// line that says why, so later requests skip it instead of paying its round trip.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startStrictGemini } from '../helpers/strict-gemini.ts';
import { startFakeDeepSeek } from '../helpers/fake-deepseek-anthropic.ts';
import { startVendorHarness } from '../helpers/vendor-harness.ts';
import { GIF } from '../helpers/images.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const limited: Reply = { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '7200' } };
const refusal = (status = 400, type = 'invalid_request_error'): Reply => ({
  kind: 'json',
  status,
  body: { type: 'error', error: { type, message: `the middle tier cannot take this (${status})` } },
});
const req = { model: 'claude-sonnet-4-6', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Read the README' }] };

type TierStatus = {
  name: string;
  healthy: boolean;
  cooldown_until: string | null;
  last_failure: { reason: string; status: number; at: string } | null;
  requests: number;
  ok: number;
  failures: number;
};

async function threeTiers(middle: (i: number) => Reply, first: (i: number) => Reply = () => limited) {
  const a = await startFakeUpstream((_r, i) => first(i));
  const b = await startFakeUpstream((_r, i) => middle(i));
  const c = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: a.url },
      { name: 'gemini-flash', protocol: 'anthropic', base_url: b.url, api_key: 'sk-middle', model: 'middle-model' },
      { name: 'deepseek', protocol: 'anthropic', base_url: c.url, api_key: 'sk-last', model: 'deepseek-v4-flash' },
    ],
  });
  cleanup.push(
    () => a.close(),
    () => b.close(),
    () => c.close(),
    () => h.close(),
  );
  return { a, b, c, h };
}

async function ask(h: Harness): Promise<number> {
  const res = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client' },
    body: JSON.stringify(req),
  });
  await res.text();
  return res.status;
}

async function tier(h: Harness, name: string): Promise<TierStatus> {
  const s = (await (await fetch(`${h.url}/status`)).json()) as { tiers: TierStatus[] };
  return s.tiers.find((t) => t.name === name)!;
}

describe("a lower tier's refusals", () => {
  it('count as its failures in /status (last failure, failed count) while the next tier answers', async () => {
    const { h } = await threeTiers(() => refusal());
    expect(await ask(h)).toBe(200);
    expect(await tier(h, 'gemini-flash')).toMatchObject({
      healthy: true,
      cooldown_until: null,
      last_failure: { reason: 'refused', status: 400 },
      requests: 1,
      ok: 0,
      failures: 1,
    });
    expect(await ask(h)).toBe(200);
    expect((await tier(h, 'gemini-flash')).failures).toBe(2);
  });

  it('cool the tier down at the third refusal of one kind in a row, with a log line that says why; later requests skip it', async () => {
    const { b, c, h } = await threeTiers(() => refusal());
    for (let i = 0; i < 3; i++) expect(await ask(h)).toBe(200);
    expect(h.logs.join('\n')).toMatch(
      /gemini-flash: refused 3 requests in a row \(400 invalid_request_error\): cooldown until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(15m\)/,
    );
    const t = await tier(h, 'gemini-flash');
    expect(t).toMatchObject({ healthy: false, last_failure: { reason: 'refused', status: 400 }, failures: 3 });
    expect(Date.parse(t.cooldown_until!) - Date.parse(t.last_failure!.at)).toBe(15 * 60_000);
    expect(await ask(h)).toBe(200);
    expect(b.requests).toHaveLength(3); // the fourth request went straight to deepseek
    expect(c.requests).toHaveLength(4);
    // After the cooldown it is tried again; the same refusal once more cools it again at once.
    h.clock.advance(15 * 60_000 + 1000);
    expect(await ask(h)).toBe(200);
    expect(b.requests).toHaveLength(4);
    expect(h.logs.join('\n')).toMatch(/gemini-flash: refused 4 requests in a row \(400 invalid_request_error\)/);
    expect((await tier(h, 'gemini-flash')).healthy).toBe(false);
  });

  it('are not "in a row" when the kind changes or the tier answers in between', async () => {
    const kinds = [refusal(), refusal(), refusal(404, 'not_found_error'), refusal(), refusal()];
    const { b, h } = await threeTiers((i) => kinds[i] ?? { kind: 'sse', text: TEXT });
    for (let i = 0; i < kinds.length; i++) expect(await ask(h)).toBe(200);
    expect(h.logs.join('\n')).not.toMatch(/refused \d+ requests in a row/);
    expect((await tier(h, 'gemini-flash')).healthy).toBe(true);
    expect(b.requests).toHaveLength(5);
  });

  it('of the active tier make the switch away from it say `refused` in the ledger', async () => {
    // gemini-flash answers first (claude limited), becomes active, then refuses three times.
    const { h } = await threeTiers((i) => (i === 0 ? { kind: 'sse', text: TEXT } : refusal()));
    for (let i = 0; i < 4; i++) expect(await ask(h)).toBe(200);
    const switches = (await h.settledEvents())
      .filter((e): e is SwitchEvent => e.kind === 'switch')
      .map((e) => [e.from, e.to, e.reason, e.status]);
    expect(switches).toEqual([
      ['claude', 'gemini-flash', 'rate_limit', 429],
      ['gemini-flash', 'deepseek', 'refused', 400],
    ]);
  });
});

describe('against the strict Gemini fake', () => {
  it("cools gemini-flash down after Google's third 400 INVALID_ARGUMENT of one kind, and the log says why", async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '7200' });
    const gemini = await startStrictGemini({ key: 'AIza-test', reply: () => ({ text: 'never' }) });
    const deepseek = await startFakeDeepSeek({ key: 'sk-ds', reply: () => ({ text: 'DeepSeek answers.' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      // A gif forced through image_types: Gemini refuses every such request the same way.
      {
        name: 'gemini-flash',
        protocol: 'gemini',
        base_url: gemini.url,
        api_key: 'AIza-test',
        model: 'gemini-2.5-flash',
        image_types: ['image/gif'],
      },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: 'sk-ds', model: 'deepseek-v4-flash' },
    ]);
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const body = JSON.stringify({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this' },
            { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: GIF } },
          ],
        },
      ],
    });
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client' },
        body,
      });
      expect(await res.text()).toContain('DeepSeek answers.');
    }
    expect(gemini.verdicts).toEqual(Array(3).fill({ status: 400, message: 'Unsupported MIME type: image/gif' }));
    expect(h.logs.join('\n')).toMatch(
      /gemini-flash: refused 3 requests in a row \(400 invalid_request_error\): cooldown until \S+Z \(15m\)/,
    );
  });
});

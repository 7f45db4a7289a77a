// When no tier answers, Claude Code's error names why the first tier is out and until when (its 429),
// beside the last failure or the first refusal, in Anthropic's error shape.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { startHarness, type TierSpec } from '../helpers/harness.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const limited: Reply = { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '600' } };
const overloaded: Reply = { kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) };
const refusal: Reply = {
  kind: 'json',
  status: 400,
  body: { type: 'error', error: { type: 'invalid_request_error', message: 'Function call is missing a thought_signature' } },
};
const req = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Read the README' }] };

async function tiers(...replies: Reply[]) {
  const fakes = await Promise.all(replies.map((r) => startFakeUpstream(() => r)));
  const names = ['claude', 'gemini-flash', 'deepseek'];
  const specs: TierSpec[] = fakes.map((f, i) =>
    i === 0
      ? { name: names[i], protocol: 'anthropic', base_url: f.url }
      : { name: names[i], protocol: 'anthropic', base_url: f.url, api_key: `sk-${i}`, model: `m-${i}` },
  );
  const h = await startHarness({ tiers: specs });
  cleanup.push(...fakes.map((f) => () => f.close()), () => h.close());
  return { fakes, h };
}

async function error(url: string): Promise<{ status: number; body: { type: string; error: { type: string; message: string } } }> {
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client' },
    body: JSON.stringify(req),
  });
  return { status: res.status, body: (await res.json()) as { type: string; error: { type: string; message: string } } };
}

const FIRST = /claude: 429 rate_limit, back at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 10m\): /;

describe('when no tier answers', () => {
  it("names the first tier's 429 and until when beside the last failure, as the official SDK reads it", async () => {
    const { h } = await tiers(limited, overloaded);
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    const err = await client.messages.create(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(529);
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const message = (e.error as { error: { message: string } }).error.message;
    expect(message).toMatch(/^every tier failed \(claude, gemini-flash\)\. /);
    expect(message).toMatch(FIRST);
    expect(message).toMatch(/; last: gemini-flash: /);
  });

  it('still names it on a later request that skips the cooling first tier', async () => {
    const { fakes, h } = await tiers(limited, refusal);
    await error(h.url);
    const second = await error(h.url);
    expect(fakes[0].requests).toHaveLength(1); // claude was not asked again
    expect(second.body.error.message).toMatch(FIRST);
  });

  it("adds it to a lower tier's refusal that Claude Code gets when no tier answered", async () => {
    const { h } = await tiers(limited, refusal, overloaded);
    const r = await error(h.url);
    expect(r.status).toBe(400);
    expect(Object.keys(r.body).sort()).toEqual(['error', 'type']);
    expect(r.body.error.type).toBe('invalid_request_error');
    expect(r.body.error.message).toMatch(
      /^gemini-flash: Function call is missing a thought_signature \(the first tier is out: claude: 429 rate_limit, back at .* \(in 10m\): .*\)$/,
    );
  });

  it('does not name the first tier when it is the one that failed last (nothing else to try)', async () => {
    const { h } = await tiers(limited);
    const r = await error(h.url);
    expect(r.status).toBe(429);
    expect(r.body.error.message).toMatch(/^every tier failed \(claude\)\. last: claude: /);
  });
});

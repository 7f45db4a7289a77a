// Issue 12, item 10 (first part): a request body of the wrong shape is the client's mistake, so it
// gets a 400 invalid_request_error naming the field, on every kind of tier. A 500 would be the
// proxy's fault, and the Anthropic SDK retries 500s.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type TierSpec } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TIERS: { name: string; tier: (url: string) => TierSpec; answer: string }[] = [
  {
    name: 'anthropic',
    tier: (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }),
    answer: fixture('anthropic-stream-text.sse'),
  },
  {
    name: 'openai',
    tier: (u) => ({ name: 'oa', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }),
    answer: fixture('openai-stream-text.sse'),
  },
  {
    name: 'gemini',
    tier: (u) => ({ name: 'gem', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }),
    answer: fixture('gemini-stream-text.sse'),
  },
];

const base = { model: 'claude-sonnet-4-6', max_tokens: 100, stream: true };
const user = (content: unknown) => ({ ...base, messages: [{ role: 'user', content }] });
const BODIES: [string, unknown, RegExp][] = [
  ['messages: [null]', { ...base, messages: [null] }, /messages\.0/],
  ['messages: [5]', { ...base, messages: [5] }, /messages\.0/],
  ['a message without a role', { ...base, messages: [{ content: 'hi' }] }, /messages\.0\.role/],
  ['content: 5', user(5), /messages\.0\.content/],
  ['content: [null]', user([null]), /messages\.0\.content\.0/],
  ['content: ["text"]', user(['text']), /messages\.0\.content\.0/],
  ['a block without a type', user([{ text: 'hi' }]), /messages\.0\.content\.0\.type/],
  ['system: 5', { ...user('hi'), system: 5 }, /system/],
  ['system: [null]', { ...user('hi'), system: [null] }, /system\.0/],
  ['tools: 5', { ...user('hi'), tools: 5 }, /tools/],
  ['tools: [null]', { ...user('hi'), tools: [null] }, /tools\.0/],
];

async function proxyFor(tier: (url: string) => TierSpec, answer: string): Promise<Harness & { up: FakeUpstream }> {
  const up = await startFakeUpstream(() => ({ kind: 'sse', text: answer }));
  const h = await startHarness({ tiers: [tier(up.url)] });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return Object.assign(h, { up });
}

describe.each(TIERS)('malformed request bodies on an $name tier (item 10)', ({ tier, answer }) => {
  it('answers each with 400 invalid_request_error naming the field, sends nothing upstream, and keeps serving', async () => {
    const h = await proxyFor(tier, answer);
    for (const [name, body, field] of BODIES) {
      const res = await rawRequest(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, `${name}: ${res.body}`).toBe(400);
      const error = JSON.parse(res.body) as { type: string; error: { type: string; message: string } };
      expect(error, name).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(error.error.message, name).toMatch(field);
    }
    expect(h.up.requests).toHaveLength(0);
    // A well-formed request still goes through.
    const ok = await rawRequest(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user('hi')),
    });
    expect(ok.status).toBe(200);
  });
});

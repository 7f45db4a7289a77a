// Every route chooses its tier's adapter the one way (providers/adapters.ts adapterFor): count_tokens
// and other paths to an Anthropic-compatible vendor go through the vendor's adapter, not Anthropic's,
// so the vendor gets the body its own rules make (vendors.md), and Anthropic itself keeps its bytes.

import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../helpers/fake-upstream.ts';
import { startHarness } from '../../helpers/harness.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DS_KEY = 'sk-deepseek-route-key';
/** What Claude Code counts after a turn on Claude: Anthropic's signed thinking block in the history. */
const COUNT_BODY = {
  model: 'claude-sonnet-4-6',
  thinking: { type: 'enabled', budget_tokens: 1024 },
  messages: [
    { role: 'user', content: 'read f.ts' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Claude plans.', signature: 'EqQBanthropic-signed' },
        { type: 'text', text: 'ok' },
      ],
    },
    { role: 'user', content: 'go on' },
  ],
};

async function proxyTo(tier: Record<string, string>) {
  const up = await startFakeUpstream(() => ({ kind: 'json', status: 200, body: { input_tokens: 7 } }));
  const h = await startHarness({ tiers: [{ name: 'first', protocol: 'anthropic', base_url: up.url, ...tier }] });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return { up, h };
}

const count = (url: string) =>
  fetch(`${url}/v1/messages/count_tokens?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client' },
    body: JSON.stringify(COUNT_BODY),
  });

describe('count_tokens and other paths through the tier adapter', () => {
  it("sends an Anthropic-compatible vendor the vendor's body: Anthropic's signed thinking removed, the vendor's key and model", async () => {
    const { up, h } = await proxyTo({ api_key: DS_KEY, vendor: 'deepseek', model: 'deepseek-v4-flash' });
    const res = await count(h.url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ input_tokens: 7 });
    expect(up.requests.map((r) => r.url)).toEqual(['/v1/messages/count_tokens?beta=true']);
    const sent = up.requests[0];
    expect(sent.headers['x-api-key']).toBe(DS_KEY);
    const body = sent.json as { model: string };
    expect(body.model).toBe('deepseek-v4-flash');
    // A vendor cannot verify Anthropic's signature (vendors.md): the block must not reach it.
    expect(sent.body.toString()).not.toContain('EqQBanthropic-signed');

    // GET /v1/models goes to the vendor as it came, with the vendor's key.
    const models = await fetch(`${h.url}/v1/models`, { headers: { 'x-api-key': 'sk-ant-client' } });
    expect(models.status).toBe(200);
    expect(up.requests.at(-1)!.url).toBe('/v1/models');
    expect(up.requests.at(-1)!.headers['x-api-key']).toBe(DS_KEY);
  });

  it("sends Anthropic itself the client's own bytes, its signed thinking included", async () => {
    const { up, h } = await proxyTo({});
    expect((await count(h.url)).status).toBe(200);
    expect(up.requests[0].body.toString()).toBe(JSON.stringify(COUNT_BODY));
  });
});

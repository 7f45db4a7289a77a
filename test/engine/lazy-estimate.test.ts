// Work only some tiers need is done only when one of them is tried (issue 20, item 7): the token
// estimate for the window check walks and serializes the whole body, so the engine makes it only
// before a tier whose window may be too small, at most once a request, never on the pass-through path.
// The estimate is the engine's own (estimateInputTokens), counted through the `estimate` seam.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { join } from 'node:path';
import { parseConfig } from '../../proxy/config.ts';
import { ADAPTERS } from '../../proxy/providers/adapters.ts';
import { createProxy } from '../../proxy/server/server.ts';
import { estimateInputTokens } from '../../proxy/wire/estimate-tokens.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import { fixture, startFakeUpstream, type FakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { makeRepo } from '../../test-support/repo.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Claude Code's own first request of a tool loop (a captured one, tools and system prompt included). */
const CAPTURED = {
  ...(JSON.parse(fixture('claude-code-2.1.332-tool-loop.json'))[0].body as Anthropic.MessageCreateParamsStreaming),
  model: 'claude-sonnet-4-6',
};
const limited: Handler = () => ({
  kind: 'json',
  status: 429,
  body: JSON.parse(fixture('anthropic-429.json')),
  headers: { 'retry-after': '3600' },
});
const overloaded: Handler = () => ({ kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) });

type Setup = { claude: Handler; gpt?: Handler; windows?: [number, number] };

async function start({
  claude,
  gpt = () => ({ kind: 'sse', text: fixture('openai-stream-text.sse') }),
  windows = [1_000_000, 1_000_000],
}: Setup) {
  const up: FakeUpstream[] = [
    await startFakeUpstream(claude),
    await startFakeUpstream(gpt),
    await startFakeUpstream(() => ({ kind: 'sse', text: fixture('gemini-stream-text.sse') })),
  ];
  const repo = await makeRepo();
  const yaml = JSON.stringify({
    proxy: { host: '127.0.0.1', port: 0 },
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: up[0].url },
      { name: 'gpt', protocol: 'openai', base_url: up[1].url, api_key: 'sk-gpt-key', model: 'gpt-4.1', context_window: windows[0] },
      {
        name: 'gemini',
        protocol: 'gemini',
        base_url: up[2].url,
        api_key: 'AIza-key',
        model: 'gemini-3-flash-preview',
        context_window: windows[1],
      },
    ],
    fallback: { max_wait: '0s', first_byte_timeout: '5s' },
    git: { auto_commit: false },
  });
  const estimates: number[] = [];
  const proxy = createProxy({
    config: parseConfig(yaml, 'test.yaml', {}),
    repo,
    ledgerPath: join(repo, '.git', 'model-ledger'),
    adapters: ADAPTERS,
    autoCommit: async () => ({ commit: null, tag: null }),
    notifier: { notify() {}, drain: async () => {} },
    log: () => {},
    estimate: (req: MessagesRequest) => {
      const n = estimateInputTokens(req);
      estimates.push(n);
      return n;
    },
  });
  const port = await proxy.listen();
  cleanup.push(...up.map((u) => () => u.close()), () => proxy.close(200));
  return {
    up,
    estimates,
    url: `http://127.0.0.1:${port}`,
    client: new Anthropic({ apiKey: 'sk-ant-client-key', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 }),
  };
}

describe('the window estimate is made only for a tier that needs it', () => {
  it('is never made when Anthropic (tier 0) takes the request as it came', async () => {
    const { up, estimates, client } = await start({ claude: () => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }) });
    for (let i = 0; i < 3; i++) await client.messages.stream({ ...CAPTURED, stream: true }).finalMessage();
    expect(up[0].requests).toHaveLength(3);
    expect(estimates).toEqual([]);
  });

  it('is made once a request when fallback tiers with a window are tried, however many', async () => {
    // Anthropic limited, gpt overloaded: gpt and then gemini are tried; one estimate serves both checks.
    const { up, estimates, client } = await start({ claude: limited, gpt: overloaded });
    const message = await client.messages.stream({ ...CAPTURED, stream: true }).finalMessage();
    expect(message.content.length).toBeGreaterThan(0);
    expect([up[1].requests.length, up[2].requests.length]).toEqual([1, 1]);
    expect(estimates).toEqual([estimateInputTokens(CAPTURED as MessagesRequest)]);
  });

  it("skips a tier the request does not fit, and answers Anthropic's too-long error with that one estimate when none fits", async () => {
    const { up, estimates, url } = await start({ claude: limited, windows: [1024, 1536] });
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...CAPTURED, stream: false }),
    });
    expect(res.status).toBe(400);
    const estimate = estimateInputTokens(CAPTURED as MessagesRequest);
    expect(estimate).toBeGreaterThan(1536);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: `prompt is too long: ${estimate} tokens > 1536 maximum` },
    });
    expect([up[1].requests.length, up[2].requests.length]).toEqual([0, 0]);
    expect(estimates).toEqual([estimate]);
  });
});

// /v1/messages/count_tokens while a fallback answers: a local estimate, no upstream call; back on
// Claude it goes to Anthropic again.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import type { Harness } from '../helpers/harness.ts';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { PROVIDERS, startFallbackHarness } from './providers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Body = { messages: { role: string; content: unknown }[]; max_tokens?: number; stream?: boolean; [key: string]: unknown };
const CAPTURED = (JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as { body: Body }[]).map((r) => r.body);
/** What Claude Code sends to count_tokens: the create body without max_tokens and stream. */
const countBody = ({ max_tokens: _m, stream: _s, ...rest }: Body) => rest;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

async function count(h: Harness, body: unknown): Promise<unknown> {
  const res = await fetch(`${h.url}/v1/messages/count_tokens?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client-key', 'anthropic-beta': 'token-counting-2024-11-01' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe.each(PROVIDERS)('count_tokens while $tier ($protocol) is active', (p) => {
  it('answers {input_tokens} from a local estimate that grows with the input, without calling any upstream', async () => {
    const strict = await startStrictAnthropic({ limited: true, retryAfter: '3600' });
    const fallback = await startFakeUpstream(() => ({ kind: 'sse', text: p.toolTurn(1) }));
    const h = await startFallbackHarness(p, strict.url, fallback.url, { max_wait: '0s' });
    cleanup.push(
      () => strict.close(),
      () => fallback.close(),
      () => h.close(),
    );
    const send = (body: Body) =>
      fetch(`${h.url}/v1/messages?beta=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.text());

    await send(CAPTURED[0]); // 429 from Claude: the fallback is active now
    expect((await (await fetch(`${h.url}/health`)).json()) as unknown).toEqual({ status: 'ok', active: p.tier });

    const first = (await count(h, countBody(CAPTURED[0]))) as { input_tokens: number };
    expect(Object.keys(first)).toEqual(['input_tokens']);
    expect(Number.isInteger(first.input_tokens) && first.input_tokens > 0).toBe(true);
    // The second captured turn carries the first plus an assistant turn and a tool result.
    const second = (await count(h, countBody(CAPTURED[1]))) as { input_tokens: number };
    expect(second.input_tokens).toBeGreaterThan(first.input_tokens);
    // An image costs 1,600 tokens (README), whatever the size of its base64 text.
    const withImage = structuredClone(countBody(CAPTURED[1]));
    const last = withImage.messages.at(-1)!;
    last.content = [...(last.content as unknown[]), { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }];
    expect(await count(h, withImage)).toEqual({ input_tokens: second.input_tokens + 1600 });

    expect(strict.requests.map((r) => r.url)).toEqual(['/v1/messages?beta=true']);
    expect(fallback.requests).toHaveLength(1);

    // Back on Claude after the cooldown: counting is Anthropic's again.
    strict.limited = false;
    h.clock.advance(3600_000);
    await send(CAPTURED[0]);
    expect((await (await fetch(`${h.url}/health`)).json()) as unknown).toEqual({ status: 'ok', active: 'claude' });
    expect(await count(h, countBody(CAPTURED[0]))).toEqual({ input_tokens: 42 });
    expect(strict.requests.at(-1)!.url).toBe('/v1/messages/count_tokens?beta=true');
  });
});

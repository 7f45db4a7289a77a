// Issue 19, item 5: a request nested thousands of levels deep (a tool schema, a tool_result, a tool_use
// input) is the client's mistake: 400 invalid_request_error naming the depth limit, for every tier
// protocol and for count_tokens, never `500 Maximum call stack size exceeded`. The limit is checked on the
// raw body before anything recursive (JSON.parse's consumers, token estimates, converters, schema
// cleaners) sees it; a request at the limit still goes through.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type TierSpec } from '../helpers/harness.ts';
import { MAX_JSON_DEPTH } from '../../proxy/server/body.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DEEP = 8000;

// Built as text: JSON.stringify itself overflows the stack on such values.

/** A JSON Schema whose properties nest `levels` objects deep. */
const deepSchema = (levels: number) => '{"type":"object","properties":{"a":'.repeat(levels) + '{"type":"string"}' + '}}'.repeat(levels);

/** tool_result blocks inside tool_result blocks, `levels` deep. */
const deepToolResult = (levels: number) =>
  '[{"type":"tool_result","tool_use_id":"toolu_1","content":'.repeat(levels) + '[{"type":"text","text":"leaf"}]' + '}]'.repeat(levels);

/** A tool_use input of objects and arrays in each other. */
const deepInput = (levels: number) => '{"a":['.repeat(levels) + '1' + ']}'.repeat(levels);

const tool = (schema: string) => `[{"name":"Deep","description":"d","input_schema":${schema}}]`;
const turn = (input: string, result: string) =>
  `[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Deep","input":${input}}]},{"role":"user","content":${result}}]`;

/** The deep requests, as the JSON text after `{<route's fields>,`. */
function requests(levels: number): [string, string][] {
  return [
    ['a tool schema', `"messages":[{"role":"user","content":"hi"}],"tools":${tool(deepSchema(levels))}}`],
    ['a tool_result', `"messages":${turn('{}', deepToolResult(levels))},"tools":${tool('{"type":"object"}')}}`],
    ['a tool_use input', `"messages":${turn(deepInput(levels), '[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]')},"tools":${tool('{"type":"object"}')}}`],
  ];
}

const TIERS: [string, (url: string) => TierSpec, string][] = [
  ['anthropic', (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }), 'anthropic-stream-text.sse'],
  ['openai', (u) => ({ name: 'oa', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }), 'openai-stream-text.sse'],
  ['gemini', (u) => ({ name: 'gem', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }), 'gemini-stream-text.sse'],
];

async function post(url: string, body: string): Promise<{ status: number; json: { type?: string; error?: { type?: string; message?: string } } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) as never };
  } catch {
    return { status: res.status, json: { error: { message: text.slice(0, 40) } } };
  }
}

describe(`requests nested ${DEEP} levels deep (issue 19 item 5)`, () => {
  it.each(TIERS)('%s tier: each deep request is a 400 naming the depth limit, on /v1/messages and count_tokens, and nothing goes upstream', async (_p, tier, sse) => {
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture(sse) }));
    const h = await startHarness({ tiers: [tier(up.url)] });
    cleanup.push(() => up.close(), () => h.close());
    const seen: string[] = [];
    for (const [what, body] of requests(DEEP)) {
      for (const [route, extra] of [
        ['/v1/messages', '{"model":"claude-sonnet-4-6","max_tokens":100,"stream":true,'],
        ['/v1/messages', '{"model":"claude-sonnet-4-6","max_tokens":100,'],
        ['/v1/messages/count_tokens', '{"model":"claude-sonnet-4-6",'],
      ] as const) {
        const r = await post(h.url + route, extra + body);
        const m = r.json.error?.message ?? '';
        const named = m.includes(String(MAX_JSON_DEPTH)) && /nest/.test(m);
        seen.push(`${what} ${route}: ${r.status} ${r.json.error?.type} ${named ? 'names the limit' : m.slice(0, 80)}`);
      }
    }
    expect(seen).toEqual(requests(DEEP).flatMap(([what]) => ['/v1/messages', '/v1/messages', '/v1/messages/count_tokens'].map((route) => `${what} ${route}: 400 invalid_request_error names the limit`)));
    expect(up.requests).toHaveLength(0);
    expect((await fetch(`${h.url}/status`)).status).toBe(200);
  });

  it.each(TIERS)('%s tier: the same requests just under the limit go through', async (_p, tier, sse) => {
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture(sse) }));
    const h = await startHarness({ tiers: [tier(up.url)] });
    cleanup.push(() => up.close(), () => h.close());
    // Each builder adds a few levels of its own around the nesting (body, messages, content, block…).
    for (const [what, body] of requests(Math.floor(MAX_JSON_DEPTH / 2) - 4)) {
      const res = await fetch(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"claude-sonnet-4-6","max_tokens":100,"stream":true,' + body,
      });
      expect({ what, status: res.status }).toEqual({ what, status: 200 });
      await res.text();
    }
    // Brackets inside strings (code, escaped quotes) are text, not nesting.
    const text = JSON.stringify('x = [[{"\\"'.repeat(5000));
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"claude-sonnet-4-6","max_tokens":100,"stream":true,"messages":[{"role":"user","content":${text}}]}`,
    });
    expect(res.status).toBe(200);
    await res.text();
  });
});

// Issue 19, item 5: a request nested thousands of levels deep (a tool schema, a tool_result, a tool_use
// input) is the client's mistake: 400 invalid_request_error naming the depth limit, for every tier
// protocol and for count_tokens, never `500 Maximum call stack size exceeded`. The limit is checked on the
// raw body before anything recursive (JSON.parse's consumers, token estimates, converters, schema
// cleaners) sees it; a request at the limit still goes through. An upstream answer nested as deep is
// that tier's failure: the next tier answers.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type TierSpec } from '../helpers/harness.ts';
import { startScriptedUpstream } from '../helpers/scripted-upstream.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../proxy/wire/json-depth.ts';

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
    [
      'a tool_use input',
      `"messages":${turn(deepInput(levels), '[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]')},"tools":${tool('{"type":"object"}')}}`,
    ],
  ];
}

const TIERS: [string, (url: string) => TierSpec, string][] = [
  ['anthropic', (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }), 'anthropic-stream-text.sse'],
  ['openai', (u) => ({ name: 'oa', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }), 'openai-stream-text.sse'],
  ['gemini', (u) => ({ name: 'gem', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }), 'gemini-stream-text.sse'],
];

async function post(
  url: string,
  body: string,
): Promise<{ status: number; json: { type?: string; error?: { type?: string; message?: string } } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) as never };
  } catch {
    return { status: res.status, json: { error: { message: text.slice(0, 40) } } };
  }
}

describe(`requests nested ${DEEP} levels deep (issue 19 item 5)`, () => {
  it.each(TIERS)(
    '%s tier: each deep request is a 400 naming the depth limit, on /v1/messages and count_tokens, and nothing goes upstream',
    async (_p, tier, sse) => {
      const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture(sse) }));
      const h = await startHarness({ tiers: [tier(up.url)] });
      cleanup.push(
        () => up.close(),
        () => h.close(),
      );
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
      expect(seen).toEqual(
        requests(DEEP).flatMap(([what]) =>
          ['/v1/messages', '/v1/messages', '/v1/messages/count_tokens'].map(
            (route) => `${what} ${route}: 400 invalid_request_error names the limit`,
          ),
        ),
      );
      expect(up.requests).toHaveLength(0);
      expect((await fetch(`${h.url}/status`)).status).toBe(200);
    },
  );

  it.each(TIERS)('%s tier: the same requests just under the limit go through', async (_p, tier, sse) => {
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture(sse) }));
    const h = await startHarness({ tiers: [tier(up.url)] });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
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

describe(`upstream answers nested ${DEEP} levels deep (issue 19 item 5)`, () => {
  const args = deepInput(DEEP);
  const ANSWERS: [string, (url: string) => TierSpec, boolean, string, string][] = [
    // Nested objects in the answer itself: the tier failed, the next one answers.
    [
      'anthropic, whole',
      (u) => ({ name: 'deep', protocol: 'anthropic', base_url: u }),
      false,
      'application/json',
      `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"tool_use","id":"toolu_1","name":"Deep","input":${args}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}`,
    ],
    [
      'gemini, whole',
      (u) => ({ name: 'deep', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }),
      false,
      'application/json',
      `{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Deep","args":${args}}}]},"finishReason":"STOP","index":0}]}`,
    ],
    [
      'gemini, streamed',
      (u) => ({ name: 'deep', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }),
      true,
      'text/event-stream',
      `data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Deep","args":${args}}}]},"finishReason":"STOP","index":0}]}\n\n`,
    ],
  ];
  // Nested JSON inside a string (OpenAI's tool call arguments): the answer stands, the too-deep input
  // kept as text under `_raw` as any input that is not a JSON object is.
  const IN_STRINGS: [string, (url: string) => TierSpec, boolean, string, string][] = [
    [
      'openai, whole',
      (u) => ({ name: 'deep', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }),
      false,
      'application/json',
      `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Deep","arguments":${JSON.stringify(args)}}}]},"finish_reason":"tool_calls"}]}`,
    ],
    [
      'openai, streamed',
      (u) => ({ name: 'deep', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }),
      true,
      'text/event-stream',
      `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"Deep","arguments":${JSON.stringify(args)}}}]}}]}\n\ndata: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n`,
    ],
  ];

  it.each(ANSWERS)('%s: the tier failed, the next one answers (no 500)', async (_name, tier, stream, type, text) => {
    const deep = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(text);
    });
    const backup = await startFakeUpstream(() =>
      stream
        ? { kind: 'sse', text: fixture('anthropic-stream-text.sse') }
        : {
            kind: 'json',
            status: 200,
            body: {
              id: 'msg_b',
              type: 'message',
              role: 'assistant',
              model: 'claude-sonnet-4-6',
              content: [{ type: 'text', text: 'from the backup' }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 1, output_tokens: 1 },
            },
          },
    );
    const h = await startHarness({
      tiers: [tier(deep.url), { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-backup' }],
    });
    cleanup.push(
      () => deep.close(),
      () => backup.close(),
      () => h.close(),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        stream,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'Deep', input_schema: { type: 'object' } }],
      }),
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(stream ? 'message_stop' : 'from the backup');
    expect(deep.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(1);
  });

  it.each(IN_STRINGS)('%s: the answer reaches the client, the deep input as text (no 500)', async (_name, tier, stream, type, text) => {
    const deep = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(text);
    });
    const h = await startHarness({ tiers: [tier(deep.url)] });
    cleanup.push(
      () => deep.close(),
      () => h.close(),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        stream,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'Deep', input_schema: { type: 'object' } }],
      }),
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(stream ? 'message_stop' : '"_raw":');
    expect(body).toContain('"name":"Deep"');
  });
});

describe('tooDeepAt: the one pass that counts nesting', () => {
  const both = (text: string, max: number) => {
    const asString = tooDeepAt(text, max);
    const asBytes = tooDeepAt(Buffer.from(text), max);
    return { asString, asBytes: asBytes >= 0 ? Buffer.from(text).subarray(0, asBytes).toString().length : -1 };
  };
  it('counts arrays and objects, not brackets inside strings, whatever escapes precede a quote', () => {
    expect(both('[[1]]', 2)).toEqual({ asString: -1, asBytes: -1 });
    expect(both('[[[1]]]', 2)).toEqual({ asString: 2, asBytes: 2 });
    expect(both('["\\\\", [[1]]]', 2)).toEqual({ asString: 8, asBytes: 8 }); // a string ending in an escaped backslash
    expect(both('["\\"[[[", [[1]]]', 2)).toEqual({ asString: 11, asBytes: 11 }); // an escaped quote does not end the string
    expect(both('{"é€😀":[{"k":"[[[["}]}', 3)).toEqual({ asString: -1, asBytes: -1 }); // multi-byte characters
    expect(both('{"é€😀":[{"k":"[[[["}]}', 2)).toEqual({ asString: 9, asBytes: 9 }); // the same offset in bytes and in code units
    expect(both('["[[[[', 1)).toEqual({ asString: -1, asBytes: -1 }); // unterminated: JSON.parse refuses it
  });
});

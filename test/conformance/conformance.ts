// The one conformance suite every provider adapter passes (issue 20, item 4). It takes the adapter under
// test, the tier that selects it and a fake upstream script in that provider's own wire format, and runs
// the real proxy (createProxy, one tier) with the official SDK and raw HTTP as clients: the same
// Anthropic-shaped request in, a well-formed Anthropic stream and JSON out, tool calls, usage, errors in
// Anthropic's shape, and the optional capabilities (count_tokens, other paths) as the adapter declares them.
// Expectations come from the fixtures, read by the tests' own parser (dataOf), never from the proxy's code.

import { describe, expect, it, afterEach } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { join } from 'node:path';
import { parseConfig } from '../../proxy/config.ts';
import { ADAPTERS, adapterFor } from '../../proxy/providers/adapters.ts';
import type { ProviderAdapter } from '../../proxy/providers/provider.ts';
import { createProxy } from '../../proxy/server/server.ts';
import { startFakeUpstream, type FakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { parseSse } from '../../test-support/sse.ts';

export type Expected = {
  text: string;
  calls: { name: string; input: unknown }[];
  usage: { input_tokens: number; output_tokens: number };
};

/** What the fake upstream answers, in the provider's own format, and what Claude Code must get from it. */
export type UpstreamScript = {
  /** A streamed text answer, and the text and usage it carries. */
  text: { reply: Reply; expected: Expected };
  /** A streamed answer with tool calls. */
  tool: { reply: Reply; expected: Expected };
  /** A whole (non-streaming) text answer. */
  whole: { reply: Reply; expected: Expected };
  /** The provider's rate-limit answer, and its answer to a malformed request. */
  rateLimited: Reply;
  invalid: Reply;
};

export type ConformanceCase = {
  name: string;
  /** The adapter under test: the tier below must select it (adapterFor). */
  adapter: ProviderAdapter;
  /** The tier's config without base_url (the fake's address goes there). */
  tier: Record<string, string>;
  upstream: UpstreamScript;
};

const REQUEST = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  system: 'You are Claude Code.',
  tools: [
    {
      name: 'Read',
      description: 'Read a file',
      input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } }, required: ['file_path'] },
    },
  ],
  messages: [{ role: 'user' as const, content: 'Read the README and summarise it' }],
};

/** Runs the suite for one adapter. */
export function adapterConformance(c: ConformanceCase): void {
  describe(`adapter conformance: ${c.name}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      while (cleanup.length) await cleanup.pop()!();
    });

    async function start(reply: (path: string) => Reply) {
      const up = await startFakeUpstream((req) => reply(req.url));
      const repo = await makeRepo();
      const config = parseConfig(
        JSON.stringify({
          proxy: { host: '127.0.0.1', port: 0 },
          tiers: [{ name: 'only', base_url: up.url, ...c.tier }],
          fallback: { max_wait: '0s', first_byte_timeout: '5s' },
          git: { auto_commit: false },
        }),
        'conformance.yaml',
        {},
      );
      const logs: string[] = [];
      const proxy = createProxy({
        config,
        repo,
        ledgerPath: join(repo, '.git', 'model-ledger'),
        adapters: ADAPTERS,
        autoCommit: async () => ({ commit: null, tag: null }),
        notifier: { notify() {}, drain: async () => {} },
        log: (l) => logs.push(l),
      });
      const port = await proxy.listen();
      cleanup.push(
        () => up.close(),
        () => proxy.close(200),
      );
      const url = `http://127.0.0.1:${port}`;
      return { up, url, logs, config, client: new Anthropic({ apiKey: 'sk-ant-client-key', baseURL: url, maxRetries: 0 }) };
    }

    it('is the adapter the one seam (adapterFor) chooses for its tier', async () => {
      const { config } = await start(() => c.upstream.text.reply);
      expect(adapterFor(config.tiers[0], ADAPTERS)).toBe(c.adapter);
    });

    it('streams a text answer as a well-formed Anthropic stream with its usage', async () => {
      const { url, client } = await start(() => c.upstream.text.reply);
      const raw = await post(url, { ...REQUEST, stream: true });
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const message = checkStream(raw.text);
      expect(text(message)).toBe(c.upstream.text.expected.text);
      expect(message.stop_reason).toBe('end_turn');
      expect(pickUsage(message.usage)).toEqual(c.upstream.text.expected.usage);
      // The official SDK reads the same answer the same way.
      const sdk = await client.messages.stream({ ...REQUEST, stream: true }).finalMessage();
      expect(text(sdk)).toBe(c.upstream.text.expected.text);
    });

    it('streams tool calls as tool_use blocks with their inputs, ids fit for Anthropic, stop_reason tool_use', async () => {
      const { url } = await start(() => c.upstream.tool.reply);
      const raw = await post(url, { ...REQUEST, stream: true });
      const message = checkStream(raw.text);
      const calls = message.content.filter((b): b is Extract<typeof b, { type: 'tool_use' }> => b.type === 'tool_use');
      expect(calls.map((b) => ({ name: b.name, input: b.input }))).toEqual(c.upstream.tool.expected.calls);
      for (const b of calls) expect(b.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(new Set(calls.map((b) => b.id)).size).toBe(calls.length);
      expect(message.stop_reason).toBe('tool_use');
      expect(pickUsage(message.usage)).toEqual(c.upstream.tool.expected.usage);
    });

    it('answers a non-streaming request with one Anthropic Message in JSON', async () => {
      const { client } = await start(() => c.upstream.whole.reply);
      const message = await client.messages.create({ ...REQUEST, stream: false });
      expect(message.type).toBe('message');
      expect(message.role).toBe('assistant');
      expect(message.model).toBeTypeOf('string');
      expect(text(message)).toBe(c.upstream.whole.expected.text);
      expect(message.stop_reason).toBe('end_turn');
      expect(pickUsage(message.usage)).toEqual(c.upstream.whole.expected.usage);
    });

    it("maps the provider's rate limit to Anthropic's 429 rate_limit_error, and its refusal of the request to a 400 invalid_request_error", async () => {
      const limited = await start(() => c.upstream.rateLimited);
      const a = await post(limited.url, { ...REQUEST, stream: true });
      expect(a.status).toBe(429);
      expect(JSON.parse(a.text)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.any(String) } });
      const invalid = await start(() => c.upstream.invalid);
      const b = await post(invalid.url, { ...REQUEST, stream: true });
      expect(b.status).toBe(400);
      expect(JSON.parse(b.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
    });

    it('counts tokens upstream only when the adapter can, else locally; passes other paths only when it can', async () => {
      const { up, url } = await start((path) =>
        path.startsWith('/v1/messages/count_tokens')
          ? { kind: 'json', status: 200, body: { input_tokens: 4242 } }
          : { kind: 'json', status: 200, body: { data: [] } },
      );
      const { max_tokens: _m, ...countBody } = REQUEST;
      const counted = await post(url, countBody, '/v1/messages/count_tokens');
      expect(counted.status).toBe(200);
      const tokens = (JSON.parse(counted.text) as { input_tokens: number }).input_tokens;
      const models = await fetch(`${url}/v1/models`, { headers: { 'x-api-key': 'sk-ant-client-key' } });
      const modelsBody = (await models.json()) as { type?: string; error?: { type: string } };
      if (c.adapter.countTokens) expect(tokens).toBe(4242);
      else expect(tokens).not.toBe(4242);
      if (c.adapter.passThrough) expect(models.status).toBe(200);
      else expect([models.status, modelsBody.error?.type]).toEqual([404, 'not_found_error']);
      expect(up.requests.map((r) => r.url.split('?')[0])).toEqual([
        ...(c.adapter.countTokens ? ['/v1/messages/count_tokens'] : []),
        ...(c.adapter.passThrough ? ['/v1/models'] : []),
      ]);
    });
  });
}

async function post(url: string, body: unknown, path = '/v1/messages'): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client-key', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking'; thinking: string; signature: string };
type Msg = { content: Block[]; stop_reason: string | null; usage: Record<string, unknown> };

const text = (m: { content: readonly object[] }) =>
  m.content.flatMap((b) => ('text' in b && (b as { type?: unknown }).type === 'text' ? [String(b.text)] : [])).join('');
const pickUsage = (u: object) => ({
  input_tokens: (u as { input_tokens: number }).input_tokens,
  output_tokens: (u as { output_tokens: number }).output_tokens,
});

/**
 * Reads an Anthropic SSE answer by Anthropic's streaming rules (https://docs.anthropic.com/en/api/messages-streaming)
 * and fails on any break of them: each frame's `event:` is its data's type; message_start first; blocks
 * opened in index order from 0, one at a time, each delta of its block's kind; message_delta with a
 * stop_reason after the last block closed; message_stop last. Returns the message it accumulates.
 */
export function checkStream(sse: string): Msg {
  const events = parseSse(sse).map((f) => {
    const data = JSON.parse(f.data) as { type: string; [k: string]: unknown };
    expect(f.event, f.data).toBe(data.type);
    return data;
  });
  const flow = events.filter((e) => e.type !== 'ping');
  expect(flow[0]?.type).toBe('message_start');
  const start = flow[0].message as { type: string; role: string; content: unknown[]; usage: Record<string, unknown> };
  expect([start.type, start.role, start.content]).toEqual(['message', 'assistant', []]);
  const message: Msg = { content: [], stop_reason: null, usage: { ...start.usage } };
  let open: { index: number; block: Block; json: string } | null = null;
  let stopped = false;
  for (const e of flow.slice(1)) {
    expect(stopped, `${e.type} after message_stop`).toBe(false);
    switch (e.type) {
      case 'content_block_start': {
        expect(open, 'a block started while another is open').toBeNull();
        expect(e.index).toBe(message.content.length);
        open = { index: e.index as number, block: structuredClone(e.content_block) as Block, json: '' };
        break;
      }
      case 'content_block_delta': {
        expect(open?.index, 'a delta for a block that is not open').toBe(e.index);
        const d = e.delta as { type: string; text?: string; partial_json?: string; thinking?: string; signature?: string };
        const b = open!.block;
        if (b.type === 'text') expect(d.type).toBe('text_delta');
        if (b.type === 'tool_use') expect(d.type).toBe('input_json_delta');
        if (b.type === 'thinking') expect(['thinking_delta', 'signature_delta']).toContain(d.type);
        if (d.type === 'text_delta') (b as { text: string }).text += d.text;
        if (d.type === 'input_json_delta') open!.json += d.partial_json;
        if (d.type === 'thinking_delta') (b as { thinking: string }).thinking += d.thinking;
        if (d.type === 'signature_delta') (b as { signature: string }).signature = d.signature!;
        break;
      }
      case 'content_block_stop': {
        expect(open?.index, 'a stop for a block that is not open').toBe(e.index);
        if (open!.block.type === 'tool_use') (open!.block as { input: unknown }).input = open!.json === '' ? {} : JSON.parse(open!.json);
        message.content.push(open!.block);
        open = null;
        break;
      }
      case 'message_delta': {
        expect(open, 'message_delta while a block is open').toBeNull();
        const d = e.delta as { stop_reason: string | null };
        expect(d.stop_reason).toBeTypeOf('string');
        message.stop_reason = d.stop_reason;
        Object.assign(message.usage, e.usage as object);
        break;
      }
      case 'message_stop':
        expect(message.stop_reason, 'message_stop before message_delta').not.toBeNull();
        stopped = true;
        break;
      default:
        throw new Error(`unexpected event in a well-formed answer: ${JSON.stringify(e)}`);
    }
  }
  expect(stopped, 'the stream ends with message_stop').toBe(true);
  return message;
}

export type { FakeUpstream };

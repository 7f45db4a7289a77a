// The adapter over a real socket: a node:http fake Chat Completions server on 127.0.0.1 answers with
// the fixtures, split into odd byte chunks; the answer goes through the adapter's answer stream.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../proxy/wire/types.ts';
import { openaiAdapter } from '../../../proxy/providers/openai/openai-adapter.ts';
import { createConversationStore } from '../../../proxy/providers/provider.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { accumulate, answerEvents } from '../../helpers/events.ts';
import { clientRequest } from '../../helpers/requests.ts';
import { chunks } from './helpers.ts';

type Seen = { url: string; headers: IncomingMessage['headers']; body: string };
let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let reply: (res: import('node:http').ServerResponse) => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const captured = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as { headers: Record<string, string>; body: MessagesRequest }[];
const opts = () => ({
  tier: { name: 'oai', protocol: 'openai' as const, baseUrl, apiKey: 'sk-tier-key', model: 'gpt-4.1' },
  model: 'gpt-4.1',
  stream: true,
  store: createConversationStore(),
});

describe('openaiAdapter against a local fake upstream', () => {
  it('streams the tool-call fixture through parser and transform into two whole tool_use blocks', async () => {
    const sse = fixture('openai-stream-tool-calls.sse');
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Odd-sized pieces split lines, JSON and UTF-8 framing at arbitrary points.
      let i = 0;
      const step = () => {
        if (i >= sse.length) return res.end();
        res.write(sse.slice(i, i + 37));
        i += 37;
        setImmediate(step);
      };
      step();
    };
    const { request, answer } = openaiAdapter.prepare(clientRequest(captured[1].body), opts());
    const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body as string });
    expect(res.status).toBe(200);

    const got = seen.at(-1)!;
    expect(got.url).toBe('/v1/chat/completions');
    expect(got.headers.authorization).toBe('Bearer sk-tier-key');
    for (const h of ['x-api-key', 'anthropic-version', 'anthropic-beta', 'x-claude-code-session-id'])
      expect(got.headers[h]).toBeUndefined();
    expect(got.body).not.toContain('sk-ant-REDACTED');

    const pieces: Uint8Array[] = [];
    for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
    const events = answerEvents(answer.stream({}), pieces);

    const { message, error, stopped } = accumulate(events);
    expect(error).toBeNull();
    expect(stopped).toBe(true);
    const fragments = chunks(sse).flatMap((c) =>
      ((c as { choices: { delta: { tool_calls?: { index: number; function: { arguments?: string } }[] } }[] }).choices ?? []).flatMap(
        (ch) => ch.delta.tool_calls ?? [],
      ),
    );
    const inputs = [0, 1].map((i) =>
      JSON.parse(
        fragments
          .filter((f) => f.index === i)
          .map((f) => f.function.arguments ?? '')
          .join(''),
      ),
    );
    expect(message!.content.map((b) => (b.type === 'tool_use' ? b.input : null))).toEqual(inputs);
    expect(message!.stop_reason).toBe('tool_use');
  });

  it('classifies the fixture 429 answer with its headers', async () => {
    const meta = JSON.parse(fixture('openai-429.headers.json')) as { status: number; headers: Record<string, string> };
    reply = (res) => {
      res.writeHead(meta.status, meta.headers);
      res.end(fixture('openai-429.json'));
    };
    const { request } = openaiAdapter.prepare(clientRequest(captured[0].body), opts());
    const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body as string });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const e = openaiAdapter.parseError(res.status, headers, await res.text());
    expect(e).toMatchObject({ status: 429, type: 'rate_limit_error', retryAfterMs: 3688 });
  });
});

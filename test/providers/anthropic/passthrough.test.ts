// Pass-through to an anthropic tier: bytes, headers, credentials and the ledger's usage line.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../../helpers/harness.ts';
import { rawRequest } from '../../helpers/http.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(handler: Parameters<typeof startFakeUpstream>[0]): Promise<{ up: FakeUpstream; h: Harness }> {
  const up = await startFakeUpstream(handler);
  cleanup.push(() => up.close());
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }] });
  cleanup.push(() => h.close());
  return { up, h };
}

const request = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Read the README' }] };

describe('pass-through', () => {
  it('streams the upstream bytes to the client unchanged and the SDK rebuilds the tool call', async () => {
    const sse = fixture('anthropic-stream-tool-use.sse');
    const { h } = await setup(() => ({ kind: 'sse', text: sse }));
    const res = await fetch(`${h.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...request, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(sse);

    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    const message = await client.messages.stream(request).finalMessage();
    const tool = message.content.find((b) => b.type === 'tool_use');
    expect(tool).toMatchObject({ name: 'Read', input: { file_path: '/home/user/project/README.md', limit: 200 } });
    expect(message.stop_reason).toBe('tool_use');
  });

  it('forwards method, path, query, body bytes and the client credentials, without hop-by-hop headers', async () => {
    const { up, h } = await setup(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const body = `{"model":"claude-sonnet-4-5", "max_tokens":5,"stream":true,  "messages":[{"role":"user","content":"hi"}]}`;
    await rawRequest(`${h.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-ant-oat-subscription',
        'anthropic-beta': 'claude-code-20250219',
        connection: 'keep-alive, x-drop-me',
        'x-drop-me': '1',
      },
      body,
    });
    const got = up.requests[0];
    expect(got.url).toBe('/v1/messages?beta=true');
    expect(got.body.toString()).toBe(body);
    expect(got.headers.authorization).toBe('Bearer sk-ant-oat-subscription');
    expect(got.headers['anthropic-beta']).toBe('claude-code-20250219');
    expect(got.headers['x-drop-me']).toBeUndefined();
    expect(got.headers.host).toBe(new URL(up.url).host);
  });

  it('writes one usage line per request with the tokens of message_start and message_delta', async () => {
    const { h } = await setup(() => ({ kind: 'sse', text: fixture('anthropic-stream-tool-use.sse') }));
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    await client.messages.stream(request).finalMessage();
    const usage = (await h.settledEvents()).filter((e) => e.kind === 'usage');
    expect(usage).toHaveLength(1);
    // From the fixture: input 35, cache_read 18210, final output 71.
    expect(usage[0]).toMatchObject({
      tier: 'claude',
      model: 'claude-sonnet-4-6',
      input_tokens: 35,
      output_tokens: 71,
      cache_read_tokens: 18210,
      stream: true,
    });
    expect(JSON.stringify(h.events())).not.toContain('sk-ant-client');
  });

  it('passes a non-streaming answer and other paths through', async () => {
    const message = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'hello' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 1 },
    };
    const { up, h } = await setup((req) =>
      req.url.startsWith('/v1/models')
        ? { kind: 'json', status: 200, body: { data: [{ id: 'claude-sonnet-4-5' }] } }
        : { kind: 'json', status: 200, body: message },
    );
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    const got = await client.messages.create(request);
    expect(got.content).toEqual(message.content);
    const models = await fetch(`${h.url}/v1/models?limit=5`, { headers: { 'x-api-key': 'k' } });
    expect(await models.json()).toEqual({ data: [{ id: 'claude-sonnet-4-5' }] });
    expect(up.requests[1].url).toBe('/v1/models?limit=5');
  });

  it('returns a 400 from Anthropic as it is, without falling back', async () => {
    const err = { type: 'error', error: { type: 'invalid_request_error', message: 'messages: at least one message is required' } };
    const { up, h } = await setup(() => ({ kind: 'json', status: 400, body: err, headers: { 'request-id': 'req_1' } }));
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('request-id')).toBe('req_1');
    expect(await res.json()).toEqual(err);
    expect(up.requests).toHaveLength(1);
  });
});

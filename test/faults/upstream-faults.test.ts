// Upstream faults on real sockets: an idle stream, malformed JSON and SSE, and a slow reader.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const req = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('upstream faults', () => {
  it('ends a stream that goes idle after content with an Anthropic error event (idle_timeout)', async () => {
    const up = await startFakeUpstream(() => ({ kind: 'stall-after', text: TEXT.split('\n\n').slice(0, 4).join('\n\n') + '\n\n' }));
    const h = await startHarness({
      tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }],
      fallback: { idle_timeout: '300ms' },
    });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...req, stream: true }),
    });
    const started = Date.now();
    const text = await res.text();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(text.startsWith(TEXT.split('\n\n').slice(0, 4).join('\n\n'))).toBe(true);
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"timeout_error"/);
  });

  it('falls back when an OpenAI-protocol tier sends malformed JSON before any content', async () => {
    const broken = await startFakeUpstream(() => ({
      kind: 'sse',
      text: 'data: {"id":"x","choices":[{"index":0,"delta":{"content":"Hel\n\n',
    }));
    const good = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
    const h = await startHarness({
      tiers: [
        { name: 'openrouter', protocol: 'openai', base_url: broken.url, api_key: 'k1', model: 'm' },
        { name: 'claude', protocol: 'anthropic', base_url: good.url, api_key: 'sk-claude' },
      ],
    });
    cleanup.push(
      () => broken.close(),
      () => good.close(),
      () => h.close(),
    );
    const m = await new Anthropic({ apiKey: 'x', baseURL: h.url, maxRetries: 0 }).messages.stream(req).finalMessage();
    expect(m.content[0]).toMatchObject({
      type: 'text',
      text: 'The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.',
    });
    expect(h.events().filter((e) => e.kind === 'switch')).toMatchObject([{ from: 'openrouter', to: 'claude' }]);
  });

  it('passes malformed SSE lines from Anthropic through untouched (the client judges them), and keeps serving', async () => {
    const odd = TEXT.replace('event: ping\ndata: {"type":"ping"}', ': comment\nevent: ping\ndata: {not json}\nretry: 5');
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: odd }));
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }] });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...req, stream: true }),
    });
    expect(await res.text()).toBe(odd);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('applies backpressure to a slow reader instead of buffering the whole stream', async () => {
    const frame = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x'.repeat(16_000) } })}\n\n`;
    const head = TEXT.split('\n\n').slice(0, 2).join('\n\n') + '\n\n';
    const end = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    const total = 128 * 1024 * 1024;
    let written = 0;
    let done = false;
    const server: Server = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(head);
      while (written < total && !res.destroyed) {
        written += frame.length;
        if (!res.write(frame)) await new Promise((r) => res.once('drain', r));
      }
      done = true;
      res.end(end);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const upUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upUrl }] });
    cleanup.push(
      () => h.close(),
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );

    const clientReq = request(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const response = await new Promise<import('node:http').IncomingMessage>((resolve) => {
      clientReq.on('response', resolve);
      clientReq.end(JSON.stringify({ ...req, stream: true }));
    });
    cleanup.push(() => void response.destroy());
    response.pause(); // a reader that does not read
    await new Promise((r) => setTimeout(r, 800));
    const stalledAt = written;
    expect(done).toBe(false);
    // Socket buffers on loopback hold a few MB each way; the rest must wait for the reader.
    expect(stalledAt).toBeLessThan(total / 4);
    // Reading again lets the rest flow through.
    let received = 0;
    response.on('data', (c: Buffer) => (received += c.length));
    response.resume();
    await new Promise((r) => response.on('end', r));
    expect(received).toBe(head.length + written + end.length);
  });
});

// Issue 12, item 8: an answer the upstream cuts off must reach the client as a failure. A JSON answer
// (declared content-length) cut mid-way resets the client's connection instead of ending as a
// complete 200; a cut SSE stream ends with an error event the Anthropic SDK reads as an APIError,
// never glued to a partial line (which the SDK would report as a JSON parse error instead).

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'node:http';
import { fixture } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startScriptedUpstream, type Script } from '../helpers/scripted-upstream.ts';
import { ASK } from '../helpers/loose-tiers.ts';
import { parseSse } from '../../test-support/sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const FRAMES = fixture('anthropic-stream-text.sse').split(/(?<=\n\n)/);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function proxyOn(script: Script): Promise<Harness> {
  const up = await startScriptedUpstream(script);
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }], fallback: { holdback: '200ms' } });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return h;
}

/** A JSON answer that declares 1,000 bytes, sends 400 and drops the connection. */
const cutJson: Script = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
  res.write('{"data":[' + '{"id":"claude-x","type":"model"},'.repeat(12).slice(0, 391));
  setTimeout(() => res.socket?.destroy(), 30);
};

type Outcome = { status: number; complete: boolean; failed: boolean; body: string };

function fetchRaw(url: string, method: string, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      let failed = false;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('aborted', () => (failed = true));
      res.on('error', () => (failed = true));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, complete: res.complete, failed, body: text }));
    });
    req.on('error', () => resolve({ status: 0, complete: false, failed: true, body: '' }));
    req.end(body);
  });
}

describe('a JSON answer cut mid-way (item 8)', () => {
  it('resets the client connection on a passed-through path (GET /v1/models): the client never sees a complete 200', async () => {
    const h = await proxyOn(cutJson);
    const r = await fetchRaw(`${h.url}/v1/models`, 'GET');
    expect(r.complete).toBe(false);
    expect(r.failed).toBe(true);
    expect(r.body).not.toContain('event: error');
  });

  it('resets the client connection on count_tokens the same way', async () => {
    const h = await proxyOn(cutJson);
    const r = await fetchRaw(
      `${h.url}/v1/messages/count_tokens`,
      'POST',
      JSON.stringify({ model: 'claude-sonnet-4-6', messages: ASK.messages }),
    );
    expect(r.complete).toBe(false);
    expect(r.failed).toBe(true);
  });

  it('answers a non-streaming /v1/messages cut mid-way with an error status, never a 200 (held up)', async () => {
    const h = await proxyOn(cutJson);
    const err = await new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages
      .create(ASK)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBeGreaterThanOrEqual(500);
  });
});

describe('an SSE answer cut mid-way (item 8)', () => {
  const partialDelta = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de';
  const wholeLine =
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" more"}}\n';
  const cases: [string, Script][] = [
    [
      'cut mid-line in the first chunk',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(FRAMES.slice(0, 4).join('') + partialDelta);
        setTimeout(() => res.socket?.destroy(), 30);
      },
    ],
    [
      'cut mid-line after the release',
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(FRAMES.slice(0, 4).join(''));
        await sleep(300);
        res.write(partialDelta);
        await sleep(30);
        res.socket?.destroy();
      },
    ],
    [
      'cut after a whole line, before the blank line',
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(FRAMES.slice(0, 4).join(''));
        await sleep(300);
        res.write(wholeLine);
        await sleep(30);
        res.socket?.destroy();
      },
    ],
  ];

  it.each(cases)('%s: the SDK reports an APIError, and every event but pings parses as JSON', async (_name, script) => {
    const h = await proxyOn(script);
    const err = await new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages
      .stream(ASK)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err, String(err)).toBeInstanceOf(Anthropic.APIError);

    const text = await (
      await fetch(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...ASK, stream: true }),
      })
    ).text();
    const events = parseSse(text);
    expect(events.at(-1)?.event).toBe('error');
    for (const e of events) if (e.event !== 'ping' && e.data !== '') expect(() => JSON.parse(e.data), e.data).not.toThrow();
  });
});

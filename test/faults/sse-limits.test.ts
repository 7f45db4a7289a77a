// Issue 12, item 6: an upstream that sends one enormous SSE line cannot stall the proxy or fill its
// memory. Parsing is linear in the input however it is cut, and an event larger than the maximum
// (8 MiB) ends the stream with an Anthropic `error` event (or falls back when nothing was sent yet).

import { afterEach, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { fixture } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.ts';
import { ASK } from '../helpers/loose-tiers.ts';
import { parseSse } from '../../test-support/sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const MB = 1024 * 1024;
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** Writes `text` in pieces of `size` bytes, waiting for the socket when it is full. */
async function writeInPieces(res: ServerResponse, text: string, size: number): Promise<void> {
  for (let i = 0; i < text.length && !res.destroyed; i += size) {
    if (!res.write(text.slice(i, i + size))) await new Promise((r) => res.once('drain', r));
  }
}

/** An OpenAI-compatible stream whose middle is `middle` (written in `piece`-byte writes). */
async function openaiTier(middle: string, piece: number): Promise<ScriptedUpstream> {
  const up = await startScriptedUpstream(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hello' }));
    await writeInPieces(res, middle, piece);
    res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
  });
  cleanup.push(() => up.close());
  return up;
}

async function proxyOn(up: ScriptedUpstream): Promise<Harness> {
  const h = await startHarness({ tiers: [{ name: 'oa', protocol: 'openai', base_url: up.url, api_key: 'k', model: 'gpt-4.1' }] });
  cleanup.push(() => h.close());
  return h;
}

async function streamText(h: Harness): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...ASK, stream: true }),
  });
  const text = await res.text();
  return { text, ms: Date.now() - started };
}

describe('SSE limits (item 6)', () => {
  it('ends a translated stream with an error event when one upstream event grows past 8 MiB, and never relays that event', async () => {
    const giant = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'x'.repeat(9 * MB) } }] })}\n\n`;
    const h = await proxyOn(await openaiTier(giant, 64 * 1024));
    const { text } = await streamText(h);
    expect(text.length).toBeLessThan(MB);
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toContain('error');
    const error = JSON.parse(events.find((e) => e.event === 'error')!.data) as { error: { message: string } };
    expect(error.error.message).toMatch(/larger than/);
    expect(events.at(-1)?.event).toBe('error');
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('pass-through: an oversized event before any content falls back to the next tier, unseen by the client', async () => {
    const start = fixture('anthropic-stream-text.sse').split(/(?<=\n\n)/)[0];
    const bloated = await startScriptedUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(start);
      await writeInPieces(res, `event: ping\ndata: {"type":"ping","pad":"${'x'.repeat(9 * MB)}"}\n\n`, 64 * 1024);
      res.end(
        fixture('anthropic-stream-text.sse')
          .split(/(?<=\n\n)/)
          .slice(1)
          .join(''),
      );
    });
    const good = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(fixture('anthropic-stream-tool-use.sse'));
    });
    cleanup.push(
      () => bloated.close(),
      () => good.close(),
    );
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: bloated.url },
        { name: 'backup', protocol: 'anthropic', base_url: good.url, api_key: 'k' },
      ],
      fallback: { holdback: '5s' },
    });
    cleanup.push(() => h.close());
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ASK, stream: true }),
    });
    const text = await res.text();
    expect(text).toBe(fixture('anthropic-stream-tool-use.sse'));
    expect(h.events().filter((e) => e.kind === 'switch')).toMatchObject([{ from: 'claude', to: 'backup' }]);
  });

  it('parses one long line as fast as the same bytes in many events (linear, not quadratic, in the line length)', async () => {
    const size = 6 * MB; // under the limit: this answer is legitimate, only large
    const oneLine = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'y'.repeat(size) } }] })}\n\n`;
    const manyEvents = Array.from({ length: size / 4096 }, () => chunk({ content: 'y'.repeat(4096) })).join('');
    const long = await proxyOn(await openaiTier(oneLine, 4096));
    const many = await proxyOn(await openaiTier(manyEvents, 4096));
    // Warm both paths once with the many-events answer's cost, then time each.
    const b = await streamText(many);
    const a = await streamText(long);
    for (const r of [a, b]) {
      expect(r.text).toContain('event: message_stop');
      expect(r.text).not.toContain('event: error');
    }
    expect(a.ms, `one 6 MB line: ${a.ms} ms; 1,536 events of 4 KB: ${b.ms} ms`).toBeLessThan(3 * b.ms + 1000);
  });
});

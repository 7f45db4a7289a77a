// Issue 19, item 5: a streaming request that an upstream answers with a JSON body (not SSE: a gateway
// that ignored `stream: true`) and then cuts after the holdback has released nothing of the answer, so
// it falls back to the next tier like any early failure; from the only tier it is a 5xx in Anthropic's
// error shape, never a 200 whose body is an error event or half a JSON object.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'node:http';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type TierSpec } from '../helpers/harness.ts';
import { startScriptedUpstream, type Script } from '../helpers/scripted-upstream.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const HOLDBACK_MS = 200;

/** Each protocol's whole-answer JSON, cut a few bytes in, the connection dropped well after the holdback. */
const cutJson =
  (start: string): Script =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2000' });
    res.write(start);
    setTimeout(() => res.socket?.destroy(), HOLDBACK_MS * 3);
  };

const CASES: [string, (url: string) => TierSpec, string][] = [
  [
    'anthropic',
    (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }),
    '{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hel',
  ],
  [
    'openai',
    (u) => ({ name: 'oa', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }),
    '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel',
  ],
  [
    'gemini',
    (u) => ({ name: 'gem', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }),
    '{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel',
  ],
];

const BACKUP_SSE = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_b","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"from the backup"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join('');

type Raw = { status: number; contentType: string; body: string };

function postRaw(url: string, body: string): Promise<Raw> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', () => {});
      res.on('close', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: text }));
    });
    req.on('error', () => resolve({ status: 0, contentType: '', body: '' }));
    req.end(body);
  });
}

describe('a JSON answer to a streaming request, cut after the holdback (issue 19 item 5)', () => {
  it.each(CASES)('%s tier: falls back to the next tier, and the SDK gets the backup answer whole', async (_p, tier, start) => {
    const first = await startScriptedUpstream(cutJson(start));
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: BACKUP_SSE }));
    const h = await startHarness({
      tiers: [tier(first.url), { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-backup' }],
      fallback: { holdback: `${HOLDBACK_MS}ms` },
    });
    cleanup.push(
      () => first.close(),
      () => backup.close(),
      () => h.close(),
    );
    const m = await new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages.stream(ASK).finalMessage();
    expect(m.content).toEqual([{ type: 'text', text: 'from the backup' }]);
    expect(first.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(1);
    expect((await h.settledEvents()).filter((e) => e.kind === 'switch')).toMatchObject([{ to: 'backup' }]);
  });

  it.each(CASES)('%s tier alone: a 5xx in Anthropic error shape, not a 200', async (_p, tier, start) => {
    const only = await startScriptedUpstream(cutJson(start));
    const h = await startHarness({ tiers: [tier(only.url)], fallback: { holdback: `${HOLDBACK_MS}ms` } });
    cleanup.push(
      () => only.close(),
      () => h.close(),
    );
    const r = await postRaw(`${h.url}/v1/messages`, JSON.stringify({ ...ASK, stream: true }));
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(r.contentType).toContain('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
  });
});

// Issue 12, item 10 (answers): a non-streaming answer that sends headers and then nothing is a
// first-byte timeout, not an idle stream; a 200 whose body is an Anthropic error is that error (and
// may fall back); a translated stream ends for the client at its finish even when the upstream
// keeps its connection open, and that upstream request is closed.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type TierSpec } from '../helpers/harness.ts';
import { startScriptedUpstream, type Script } from '../helpers/scripted-upstream.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const MESSAGE = {
  id: 'msg_01backup',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'from the backup' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 4 },
};

async function withBackup(first: Script, fallback: Record<string, string> = {}): Promise<Harness> {
  const a = await startScriptedUpstream(first);
  const b = await startFakeUpstream(() => ({ kind: 'json', status: 200, body: MESSAGE }));
  const tiers: TierSpec[] = [
    { name: 'claude', protocol: 'anthropic', base_url: a.url },
    { name: 'backup', protocol: 'anthropic', base_url: b.url, api_key: 'sk-backup' },
  ];
  const h = await startHarness({ tiers, fallback });
  cleanup.push(
    () => a.close(),
    () => b.close(),
    () => h.close(),
  );
  return h;
}

const client = (h: Harness) => new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });

describe('non-streaming answers (item 10)', () => {
  it(
    'falls back after first_byte_timeout when an answer sends its headers and then nothing (not after idle_timeout)',
    { timeout: 15_000 },
    async () => {
      const h = await withBackup(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.flushHeaders(); // and never a body byte
        },
        { first_byte_timeout: '500ms', idle_timeout: '60s' },
      );
      const started = Date.now();
      const m = await client(h).messages.create(ASK);
      expect(m.content[0]).toMatchObject({ type: 'text', text: 'from the backup' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(h.events().filter((e) => e.kind === 'switch')).toMatchObject([{ from: 'claude', to: 'backup', reason: 'timeout' }]);
    },
  );

  it('treats a 200 whose body is an Anthropic error as that error: it falls back, and the client never gets it as a message', async () => {
    const h = await withBackup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    });
    const m = await client(h).messages.create(ASK);
    expect(m.content[0]).toMatchObject({ type: 'text', text: 'from the backup' });
    expect(h.events().filter((e) => e.kind === 'switch')).toMatchObject([{ from: 'claude', to: 'backup', reason: 'overloaded' }]);
  });

  it('answers such a 200 from the only tier with an error status in Anthropic shape', async () => {
    const up = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    });
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }] });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    const err = await client(h)
      .messages.create(ASK)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });
});

describe('translated streams (item 10)', () => {
  it(
    'ends the client stream at the finish ([DONE]) while the upstream keeps its connection open, and closes that upstream request',
    { timeout: 15_000 },
    async () => {
      const up = await startFakeUpstream(() => ({ kind: 'stall-after', text: fixture('openai-stream-text.sse') }));
      const h = await startHarness({
        tiers: [{ name: 'oa', protocol: 'openai', base_url: up.url, api_key: 'k', model: 'gpt-4.1' }],
        fallback: { idle_timeout: '60s' },
      });
      cleanup.push(
        () => up.close(),
        () => h.close(),
      );
      const started = Date.now();
      const m = await client(h).messages.stream(ASK).finalMessage();
      expect(m.content[0]).toMatchObject({ type: 'text', text: 'The build passes: all 42 tests succeeded in 3.1s.' });
      expect(Date.now() - started).toBeLessThan(5000);
      await up.closed(0);
      expect(up.openSockets()).toBe(0);
    },
  );
});

// What held up under load and must stay so (issue 12): 300 concurrent streams, 200 client aborts that
// each close their upstream request, and thousands of mixed requests (streams, whole answers, bad
// bodies, aborts, 429 fallbacks) that leave no file descriptors or memory behind.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const ANSWER = 'The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
  return check();
}

describe('under load (held up)', () => {
  it('relays 300 concurrent streams whole, each with its usage line', { timeout: 60_000 }, async () => {
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT, chunkDelayMs: 30 }));
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }] });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    const all = await Promise.all(Array.from({ length: 300 }, () => client.messages.stream(ASK).finalMessage()));
    expect(all.filter((m) => m.content[0].type === 'text' && m.content[0].text === ANSWER)).toHaveLength(300);
    expect(up.requests).toHaveLength(300);
    const usage = (await h.settledEvents()).filter((e) => e.kind === 'usage') as { incomplete?: true }[];
    expect(usage).toHaveLength(300);
    expect(usage.filter((u) => u.incomplete)).toHaveLength(0);
  });

  it('closes the upstream request of each of 200 clients that abort mid-stream (in waves of 50)', { timeout: 60_000 }, async () => {
    const head = TEXT.split(/(?<=\n\n)/)
      .slice(0, 3)
      .join('');
    const up = await startFakeUpstream(() => ({ kind: 'stall-after', text: head }));
    const h = await startHarness({
      tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }],
      fallback: { idle_timeout: '60s' },
    });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    for (let wave = 0; wave < 4; wave++) {
      const aborts = Array.from({ length: 50 }, () => new AbortController());
      await Promise.all(
        aborts.map(async (a) => {
          const res = await fetch(`${h.url}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...ASK, stream: true }),
            signal: a.signal,
          });
          await res.body!.getReader().read(); // the stream is under way
        }),
      );
      expect(up.requests).toHaveLength(50 * (wave + 1));
      for (const a of aborts) a.abort();
      const closed = Promise.all(up.requests.slice(wave * 50).map((_, i) => up.closed(wave * 50 + i)));
      expect(await Promise.race([closed.then(() => true), sleep(5000).then(() => false)])).toBe(true);
    }
    expect(await until(() => up.openSockets() === 0, 5000)).toBe(true);
    const usage = (await h.settledEvents()).filter((e) => e.kind === 'usage') as { incomplete?: true }[];
    expect(usage.filter((u) => u.incomplete)).toHaveLength(200);
  });

  it('leaves no file descriptors or memory behind over 2,000 mixed requests', { timeout: 120_000 }, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let limited = false;
    const up = await startFakeUpstream((r) => {
      if (limited) return { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '0' } };
      const stream = (r.json as { stream?: boolean } | null)?.stream === true;
      return stream
        ? { kind: 'sse', text: TEXT }
        : {
            kind: 'json',
            status: 200,
            body: {
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              model: 'm',
              content: [{ type: 'text', text: 'ok' }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 1, output_tokens: 1 },
            },
          };
    });
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: up.url },
        { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-backup' },
      ],
      fallback: { max_wait: '0s', cooldown: '1ms' },
    });
    cleanup.push(
      () => up.close(),
      () => backup.close(),
      () => h.close(),
    );
    const pad = 'x'.repeat(20_000); // a leaked request body per request would show in the heap
    const body = (stream: boolean) => JSON.stringify({ ...ASK, stream, messages: [{ role: 'user', content: pad }] });
    const one = async (i: number) => {
      const kind = i % 5;
      if (kind === 0 || kind === 1)
        return (
          await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(kind === 0) })
        ).text();
      if (kind === 2)
        return (
          await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' })
        ).text();
      if (kind === 3) {
        const a = new AbortController();
        const res = await fetch(`${h.url}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body(true),
          signal: a.signal,
        });
        a.abort();
        return res.body?.cancel().catch(() => {});
      }
      limited = i % 50 === 4; // now and then a 429 that falls back
      return (
        await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(true) })
      ).text();
    };
    const round = async (n: number, offset: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < n) await one(offset + next++).catch(() => {});
        }),
      );
      limited = false;
    };
    const fds = () => readdirSync('/proc/self/fd').length;
    // The fakes keep every request they saw; forget them so only the proxy's memory is measured.
    const forget = () => {
      up.requests.length = 0;
      backup.requests.length = 0;
    };
    await round(200, 0); // warm up: pools, JIT, caches
    forget();
    await sleep(200);
    gc();
    const fdsBefore = fds();
    const heapBefore = process.memoryUsage().heapUsed;
    await round(2000, 200);
    forget();
    await sleep(500);
    gc();
    gc();
    const grownFds = fds() - fdsBefore;
    const grownHeap = process.memoryUsage().heapUsed - heapBefore;
    expect(grownFds, `fds grew by ${grownFds}`).toBeLessThan(150);
    expect(grownHeap, `heap grew by ${(grownHeap / 1048576).toFixed(1)} MB`).toBeLessThan(24 * 1024 * 1024);
  });
});

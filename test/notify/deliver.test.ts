// deliverJson: bounded retries for 5xx, no retry for other 4xx, the deadline, and never a throw.

import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { backoffMs, deliverJson, retryHintMs } from '../../proxy/notify/deliver.ts';
import { FAST_RETRY } from './events.ts';
import { startFakeTarget, type FakeTarget } from './fake-target.ts';

let fake: FakeTarget | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('deliverJson', () => {
  it('retries a failing webhook (500) a bounded number of times, logs the failure and resolves', async () => {
    fake = await startFakeTarget(() => ({ status: 500, body: 'boom' }));
    const lines: string[] = [];
    const r = await deliverJson(
      fake.url(),
      { a: 1 },
      { target: 'webhook[0]', timeoutMs: 5_000, retry: FAST_RETRY, log: (l) => lines.push(l) },
    );
    expect(r).toEqual({ ok: false, attempts: 4, status: 500, error: 'HTTP 500' });
    expect(fake.received).toHaveLength(4);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('notify webhook[0]: failed after 4 attempt(s): HTTP 500');
  });

  it('does not retry a 404 (the request itself is wrong)', async () => {
    fake = await startFakeTarget(() => ({ status: 404 }));
    const r = await deliverJson(fake.url(), {}, { target: 'slack[0]', timeoutMs: 5_000, retry: FAST_RETRY, log: () => {} });
    expect(r.ok).toBe(false);
    expect(r.attempts).toBe(1);
    expect(fake.received).toHaveLength(1);
  });

  it('gives up when the asked-for wait would pass the target timeout', async () => {
    fake = await startFakeTarget(() => ({ status: 429, body: JSON.stringify({ retry_after: 60 }) }));
    const lines: string[] = [];
    const started = Date.now();
    const r = await deliverJson(fake.url(), {}, { target: 'discord', timeoutMs: 2_000, retry: FAST_RETRY, log: (l) => lines.push(l) });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 429 });
    expect(lines[0]).toContain('a retry in 60000ms would pass the 2000ms timeout');
  });

  it('times out a target that never answers within the per-target timeout', async () => {
    fake = await startFakeTarget(() => ({ status: 204, delayMs: 10_000 }));
    const started = Date.now();
    const r = await deliverJson(fake.url(), {}, { target: 'webhook[0]', timeoutMs: 300, retry: FAST_RETRY, log: () => {} });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/timed out after/);
  });

  it('reports a refused connection by its code and sends through an injected dispatcher', async () => {
    fake = await startFakeTarget();
    const url = fake.url();
    await fake.close();
    fake = undefined;
    const dispatcher = new Agent();
    const lines: string[] = [];
    const r = await deliverJson(
      url,
      {},
      {
        target: 'webhook[0]',
        timeoutMs: 2_000,
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        dispatcher,
        log: (l) => lines.push(l),
      },
    );
    await dispatcher.close();
    expect(r).toEqual({ ok: false, attempts: 2, status: undefined, error: 'ECONNREFUSED' });
    expect(lines.join('\n')).not.toContain('127.0.0.1');
  });
});

describe('retry hints and backoff', () => {
  it('prefers the JSON retry_after seconds, then the header as seconds or an HTTP date', () => {
    expect(retryHintMs({ 'retry-after': '9' }, JSON.stringify({ retry_after: 1.25 }))).toBe(1250);
    expect(retryHintMs({ 'retry-after': '3' }, 'not json')).toBe(3000);
    expect(retryHintMs({ 'retry-after': new Date(10_000 + 4_000).toUTCString() }, '', 10_000)).toBe(4000);
    expect(retryHintMs({}, '')).toBeUndefined();
  });

  it('doubles the backoff and caps it', () => {
    const retry = { attempts: 9, baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, retry))).toEqual([100, 200, 400, 500, 500]);
  });
});

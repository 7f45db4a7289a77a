// Discord: the payload builder's shape and a fake Discord server that rate-limits the first delivery.

import { afterEach, describe, expect, it } from 'vitest';
import { toDiscordMessage } from '../../proxy/notify/discord.ts';
import { createNotifier } from '../../proxy/notify/index.ts';
import { CONTEXT, EXTERNAL, FAST_RETRY, SWITCH, notifyConfig } from './events.ts';
import { startFakeTarget, type FakeTarget } from './fake-target.ts';

let fake: FakeTarget | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('toDiscordMessage', () => {
  it('names from → to, reason, repository, branch, short commit and the expected return of the primary', () => {
    const m = toDiscordMessage(SWITCH, CONTEXT);
    expect(m.content).toContain('claude → gemini-flash');
    expect(m.content).toContain('rate limit, HTTP 429');
    expect(m.content).toContain('myrepo');
    expect(m.content).toContain('feature/x');
    const fields = Object.fromEntries(m.embeds[0].fields.map((f) => [f.name, f.value]));
    expect(fields.Repository).toBe('myrepo');
    expect(fields.Branch).toBe('feature/x');
    expect(fields.Commit).toBe('abcdef1');
    expect(fields['Primary expected back']).toBe(`2026-11-26 03:00 UTC (<t:${Date.parse(SWITCH.retry_at!) / 1000}:R>)`);
    expect(m.embeds[0].timestamp).toBe(SWITCH.ts);
  });

  it('disables every mention so text from an external event cannot ping anyone', () => {
    const m = toDiscordMessage(EXTERNAL, CONTEXT);
    expect(m.allowed_mentions).toEqual({ parse: [] });
    expect(m.content).toContain('monitor_alert @everyone');
  });

  it('says the return time is unknown without retry_at, and shows none for a recovery', () => {
    const noHint = toDiscordMessage({ ...SWITCH, retry_at: undefined }, CONTEXT);
    expect(noHint.embeds[0].fields.find((f) => f.name === 'Primary expected back')?.value).toBe('unknown');
    const back = toDiscordMessage({ ...SWITCH, from: 'gemini-flash', to: 'claude', reason: 'recovered' }, CONTEXT);
    expect(back.embeds[0].fields.some((f) => f.name === 'Primary expected back')).toBe(false);
    expect(back.content).toContain('gemini-flash → claude (primary recovered');
  });

  it('reports a switch whose auto-commit made nothing', () => {
    const m = toDiscordMessage({ ...SWITCH, commit: null }, CONTEXT);
    expect(m.embeds[0].fields.find((f) => f.name === 'Commit')?.value).toBe('none (nothing committed)');
  });
});

describe('Discord delivery against a fake Discord', () => {
  it('honours the 429 retry_after and delivers exactly one message', async () => {
    fake = await startFakeTarget((n) =>
      n === 0
        ? {
            status: 429,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.3, global: false }),
          }
        : { status: 204 },
    );
    const lines: string[] = [];
    const notifier = createNotifier(notifyConfig({ discord: fake.url('/api/webhooks/123/SECRETTOKEN') }), {
      repo: '/nowhere',
      log: (l) => lines.push(l),
      fetchContext: async () => CONTEXT,
      retry: FAST_RETRY,
    });
    notifier.notify(SWITCH);
    await notifier.drain();

    expect(fake.received).toHaveLength(2);
    // The retry waited the 300 ms Discord asked for, not the 5 ms test backoff.
    expect(fake.received[1].at - fake.received[0].at).toBeGreaterThanOrEqual(290);
    const body = JSON.parse(fake.received[1].body) as ReturnType<typeof toDiscordMessage>;
    expect(fake.received[1].method).toBe('POST');
    expect(fake.received[1].headers['content-type']).toBe('application/json');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toContain('claude → gemini-flash');
    expect(body.embeds[0].fields.map((f) => f.name)).toEqual(['Repository', 'Branch', 'Commit', 'Primary expected back']);
    expect(lines).toEqual([
      'notify discord: HTTP 429, retrying in 300ms (attempt 1 of 4)',
      'notify discord: delivered (HTTP 204, attempt 2)',
    ]);
  });

  it('honours a retry-after header when the 429 body has no retry_after', async () => {
    fake = await startFakeTarget((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : { status: 204 }));
    const notifier = createNotifier(notifyConfig({ discord: fake.url() }), {
      repo: '/nowhere',
      log: () => {},
      fetchContext: async () => CONTEXT,
      retry: FAST_RETRY,
    });
    notifier.notify(SWITCH);
    await notifier.drain();
    expect(fake.received).toHaveLength(2);
    expect(fake.received[1].at - fake.received[0].at).toBeGreaterThanOrEqual(990);
  });
});

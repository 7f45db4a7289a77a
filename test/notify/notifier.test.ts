// createNotifier: one notification per target per switch, nothing secret in the log, fire-and-forget timing.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../proxy/notify/index.ts';
import { CONTEXT, FAST_RETRY, SWITCH, notifyConfig } from './events.ts';
import { startFakeTarget, type FakeTarget } from './fake-target.ts';

const fakes: FakeTarget[] = [];
let dir: string | undefined;
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function fake(...args: Parameters<typeof startFakeTarget>): Promise<FakeTarget> {
  const f = await startFakeTarget(...args);
  fakes.push(f);
  return f;
}

describe('createNotifier', () => {
  it('makes exactly one notification per target for one switch', async () => {
    const discord = await fake();
    const slack = await fake(() => ({ status: 200 }));
    const hooks = await fake();
    dir = mkdtempSync(join(tmpdir(), 'notify-all-'));
    const lines: string[] = [];
    const notifier = createNotifier(
      notifyConfig({
        discord: discord.url('/api/webhooks/1/tok'),
        slack: [slack.url('/s0'), slack.url('/s1')],
        webhooks: [hooks.url('/w0'), hooks.url('/w1')],
        onSwitch: ['echo run >> runs.txt'],
      }),
      { repo: dir, log: (l) => lines.push(l), fetchContext: async () => CONTEXT, retry: FAST_RETRY },
    );
    notifier.notify(SWITCH);
    await notifier.drain();
    expect(discord.received.map((r) => r.path)).toEqual(['/api/webhooks/1/tok']);
    expect(slack.received.map((r) => r.path).sort()).toEqual(['/s0', '/s1']);
    expect(hooks.received.map((r) => r.path).sort()).toEqual(['/w0', '/w1']);
    expect(readFileSync(join(dir, 'runs.txt'), 'utf8')).toBe('run\n');
    const targets = lines.map((l) => /^notify (\S+):/.exec(l)?.[1]).sort();
    expect(targets).toEqual(['discord', 'on_switch[0]', 'slack[0]', 'slack[1]', 'webhook[0]', 'webhook[1]']);
  });

  it('never writes a webhook URL or its token into a log line, also when every target fails', async () => {
    const token = 'aB3dEfGh-SECRET_TOKEN_9f8e7d6c5b4a';
    const failing = await fake(() => ({ status: 500, body: `bad token ${token}` }));
    const refused = await fake();
    const refusedUrl = refused.url(`/services/T1/B2/${token}`);
    await refused.close();
    fakes.splice(fakes.indexOf(refused), 1);
    const discordUrl = failing.url(`/api/webhooks/123456/${token}`);
    const hookUrl = failing.url(`/hook?key=${token}`);
    const lines: string[] = [];
    const notifier = createNotifier(notifyConfig({ discord: discordUrl, slack: [refusedUrl], webhooks: [hookUrl], timeoutMs: 2_000 }), {
      repo: '/nowhere',
      // A logger that echoes the URL back must still see it hidden: every line passes through redact.
      log: (l) => lines.push(l),
      fetchContext: async () => CONTEXT,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    notifier.notify(SWITCH);
    await notifier.drain();
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const all = lines.join('\n');
    for (const secret of [token, discordUrl, hookUrl, refusedUrl, '/api/webhooks/123456']) expect(all).not.toContain(secret);
    expect(all).toContain('notify slack[0]: failed after 2 attempt(s): ECONNREFUSED');
    // Nor does any payload carry a secret: they hold the event fields and the repository context only.
    for (const r of failing.received) expect(r.body).not.toContain(token);
  });

  it('returns from notify at once while a target is slow, and drain waits for it', async () => {
    const slow = await fake(() => ({ status: 204, delayMs: 500 }));
    const notifier = createNotifier(notifyConfig({ discord: slow.url(), webhooks: [slow.url('/w')] }), {
      repo: '/nowhere',
      log: () => {},
      fetchContext: async () => CONTEXT,
    });
    const t0 = performance.now();
    notifier.notify(SWITCH);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(20);
    expect(slow.received).toHaveLength(0);
    const d0 = performance.now();
    await notifier.drain();
    expect(performance.now() - d0).toBeGreaterThanOrEqual(400);
    expect(slow.received).toHaveLength(2);
  });

  it('never throws or rejects: a bad URL, a failing context and a throwing logger are all contained', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const notifier = createNotifier(notifyConfig({ discord: 'not a url', webhooks: ['http://127.0.0.1:1/x'] }), {
        repo: '/nowhere',
        log: () => {
          throw new Error('logger broke');
        },
        fetchContext: () => Promise.reject(new Error('git broke')),
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      expect(() => notifier.notify(SWITCH)).not.toThrow();
      await expect(notifier.drain()).resolves.toBeUndefined();
      await new Promise((res) => setTimeout(res, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('does nothing, and logs nothing, when no target is configured', async () => {
    const lines: string[] = [];
    let contextCalls = 0;
    const notifier = createNotifier(notifyConfig(), {
      repo: '/nowhere',
      log: (l) => lines.push(l),
      fetchContext: async () => (contextCalls++, CONTEXT),
    });
    notifier.notify(SWITCH);
    await notifier.drain();
    expect(lines).toEqual([]);
    expect(contextCalls).toBe(0);
  });
});

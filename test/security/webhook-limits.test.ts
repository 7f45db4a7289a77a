// Issue 12, item 10 (webhook): POST /webhook events from a monitor are recorded and notified, but
// on_switch commands (often `npm test`) run only for real switches, and the route takes at most 10
// events a minute: past that it answers 429 and records, notifies and switches nothing.

import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.ts';
import { rawRequest } from '../helpers/http.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function proxyWithHooks(): Promise<{ h: Harness; hooks: ScriptedUpstream; ran: () => string[] }> {
  const hooks = await startScriptedUpstream((_r, res) => void res.writeHead(204).end());
  const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  cleanup.push(
    () => hooks.close(),
    () => backup.close(),
  );
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:1' },
      { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-backup' },
    ],
    notify: { webhooks: [`${hooks.url}/hook`], on_switch: ['echo "$FALLBACK_REASON" >> on-switch.log'] },
  });
  cleanup.push(() => h.close());
  const log = join(h.repo, 'on-switch.log');
  return { h, hooks, ran: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

const post = (h: Harness, body: unknown) =>
  rawRequest(`${h.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST /webhook (item 10)', () => {
  it('runs on_switch commands for a real switch only, never for an external event', async () => {
    const { h, hooks, ran } = await proxyWithHooks();
    for (let i = 0; i < 3; i++) expect((await post(h, { model: 'monitor', event_type: 'alert' })).status).toBe(200);
    expect(JSON.parse((await post(h, { model: 'backup', event_type: 'fallback' })).body)).toMatchObject({
      status: 'switched',
      active: 'backup',
    });
    await h.proxy.close(500); // drains the notifier
    expect(ran()).toEqual(['external']);
    // Webhooks still hear about every accepted event: three external ones and the switch.
    expect(hooks.requests).toHaveLength(4);
  });

  it('takes at most 10 events a minute; the rest get 429 rate_limit_error with retry-after and leave no trace', async () => {
    const { h, hooks } = await proxyWithHooks();
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await post(h, { model: 'monitor', event_type: `alert-${i}` }));
    expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(200));
    for (const a of answers.slice(10)) {
      expect(a.status).toBe(429);
      expect(JSON.parse(a.body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    }
    // A switch asked for past the limit is refused too: no flood of auto-commits.
    expect((await post(h, { model: 'backup', event_type: 'fallback' })).status).toBe(429);
    await h.proxy.close(500);
    expect(h.events().filter((e) => e.kind === 'external')).toHaveLength(10);
    expect(h.events().filter((e) => e.kind === 'switch')).toHaveLength(0);
    expect(hooks.requests).toHaveLength(10);
  });
});

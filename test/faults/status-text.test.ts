// Issue 19, item 10: a 529 went out as "HTTP/1.1 529 unknown" (Node has no text for it). Anthropic's
// text is "Overloaded" (its error body says `"message": "Overloaded"`; Claude Code prints
// "API Error: 529 Overloaded", github.com/anthropics/claude-code/issues/63051): passed through, and
// when every tier is overloaded.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { rawExchange } from '../helpers/raw-socket.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('status text (item 10)', () => {
  it('relays a 529 as "529 Overloaded", on pass-through and when every tier answered 529', async () => {
    const up = await startFakeUpstream(() => ({ kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) }));
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }] });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    const host = `127.0.0.1:${h.port}`;
    const models = await rawExchange(h.port, `GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const body = JSON.stringify(ASK);
    const messages = await rawExchange(
      h.port,
      `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      { waitMs: 5000 },
    );
    for (const r of [models, messages]) expect(r.raw.split('\r\n')[0]).toBe('HTTP/1.1 529 Overloaded');
  });
});

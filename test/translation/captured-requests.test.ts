// The two requests captured from Claude Code 2.1.332, sent with their own headers, go through the proxy
// to each fallback protocol after a 429 and come back as Anthropic streams; the fallback never sees
// Claude Code's credentials (API key or subscription login), its anthropic-* headers or Anthropic-only
// body fields.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { rawRequest } from '../helpers/http.ts';
import { PROVIDERS, startFallbackHarness } from './providers.ts';
import { sseJson } from '../../test-support/sse.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Captured = { url: string; headers: Record<string, string>; body: { metadata: { user_id: string } } };
const CAPTURED = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as Captured[];
const OAUTH = 'Bearer sk-ant-oat01-client-subscription-token';

/** The captured headers as Claude Code sends them to this proxy (its own Host, no hop-by-hop). */
function clientHeaders(c: Captured, auth: 'api-key' | 'oauth'): Record<string, string> {
  const { host: _h, connection: _c, ...headers } = c.headers;
  if (auth === 'api-key') return headers;
  const { 'x-api-key': _k, ...rest } = headers;
  return { ...rest, authorization: OAUTH };
}

describe.each(PROVIDERS)("Claude Code's captured requests on $tier ($protocol)", (p) => {
  it("reach the fallback after a 429 without the client's credentials, anthropic-* headers or Anthropic-only fields", async () => {
    const claude = await startFakeUpstream(() => ({
      kind: 'json',
      status: 429,
      body: JSON.parse(fixture('anthropic-429.json')),
      headers: { 'retry-after': '3600' },
    }));
    const fallback = await startFakeUpstream((_req, i) => ({ kind: 'sse', text: i === 0 ? p.toolTurn(1) : p.textTurn }));
    const h = await startFallbackHarness(p, claude.url, fallback.url);
    cleanup.push(
      () => claude.close(),
      () => fallback.close(),
      () => h.close(),
    );

    const sent = [clientHeaders(CAPTURED[0], 'api-key'), clientHeaders(CAPTURED[1], 'oauth')];
    for (const [i, c] of CAPTURED.entries()) {
      const res = await rawRequest(`${h.url}${c.url}`, { method: 'POST', headers: sent[i], body: JSON.stringify(c.body) });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const types = (sseJson(res.body) as { type: string }[]).map((e) => e.type);
      expect([types[0], types.at(-1)]).toEqual(['message_start', 'message_stop']);
      expect(types).not.toContain('error');
    }
    // The 429 came from Claude with the captured request as it was (pass-through).
    expect(claude.requests).toHaveLength(1);
    expect(claude.requests[0].headers['x-api-key']).toBe('sk-ant-REDACTED');
    expect(fallback.requests).toHaveLength(2);

    for (const [i, got] of fallback.requests.entries()) {
      const headers = got.headers;
      expect(headers['x-api-key']).toBeUndefined();
      expect(Object.keys(headers).filter((k) => k.startsWith('anthropic-'))).toEqual([]);
      if (p.protocol === 'openai') expect(headers.authorization).toBe('Bearer fallback-secret-key');
      else {
        expect(headers.authorization).toBeUndefined();
        expect(headers['x-goog-api-key']).toBe('fallback-secret-key');
      }
      // Nothing of Claude Code's headers reaches the other provider (they are built from scratch).
      const same = Object.entries(sent[i]).filter(
        ([k, v]) => !['content-type', 'accept', 'accept-encoding'].includes(k) && headers[k] === v,
      );
      expect(same).toEqual([]);
      expect(JSON.stringify(headers)).not.toMatch(/sk-ant/);

      const body = got.body.toString();
      expect(body).not.toMatch(/sk-ant/);
      for (const anthropicOnly of ['cache_control', 'context_management', 'defer_loading', 'DeferredToolPlaceholder', '"$schema"'])
        expect(body).not.toContain(anthropicOnly);
      // metadata.user_id (a JSON string of device, account and session ids) is not forwarded raw.
      const ids = JSON.parse(CAPTURED[i].body.metadata.user_id) as { device_id: string; session_id: string };
      for (const id of [ids.device_id, ids.session_id]) expect(body).not.toContain(id);
    }
  });
});

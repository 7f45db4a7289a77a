// Issue 12, item 10 (redaction): an upstream's error message can quote the tier's own key ("Incorrect
// API key provided: sk-…"). What the proxy passes on to the client is redacted the way its logs
// are, whether the error ends the request, is returned as it is, or arrives inside a stream.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type TierSpec } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEY = 'sk-or-v1-echoed-secret-0123456789abcdef';
const limited = (): Reply => ({
  kind: 'json',
  status: 429,
  body: JSON.parse(fixture('anthropic-429.json')),
  headers: { 'retry-after': '3600' },
});

async function afterClaude(second: (url: string) => TierSpec, reply: () => Reply): Promise<Harness> {
  const a = await startFakeUpstream(limited);
  const b = await startFakeUpstream(reply);
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: a.url }, second(b.url)] });
  cleanup.push(
    () => a.close(),
    () => b.close(),
    () => h.close(),
  );
  return h;
}

const ask = (h: Harness, stream = false) =>
  rawRequest(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client' },
    body: JSON.stringify({ ...ASK, stream }),
  });

describe("the tier's key in upstream error messages (item 10)", () => {
  it('is redacted from the every-tier-failed answer (an OpenAI-compatible 401 quoting the key)', async () => {
    const h = await afterClaude(
      (u) => ({ name: 'openrouter', protocol: 'openai', base_url: u, api_key: KEY, model: 'qwen' }),
      () => ({
        kind: 'json',
        status: 401,
        body: {
          error: {
            message: `Incorrect API key provided: ${KEY}. You can find your API key at https://example.com.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      }),
    );
    const res = await ask(h);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error' });
    expect(res.body).toContain('Incorrect API key provided');
    expect(res.body).not.toContain(KEY);
    expect(h.logs.join('\n')).not.toContain(KEY);
  });

  it('is redacted from a 400 of a keyed anthropic tier that is returned to the client as it is', async () => {
    const h = await afterClaude(
      (u) => ({ name: 'deepseek', protocol: 'anthropic', base_url: u, api_key: KEY, model: 'deepseek-v4-flash' }),
      () => ({
        kind: 'json',
        status: 400,
        body: { type: 'error', error: { type: 'invalid_request_error', message: `model not found for key ${KEY}` } },
      }),
    );
    const res = await ask(h);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(res.body).not.toContain(KEY);
  });

  it('is redacted from an error event inside a translated stream', async () => {
    const start = fixture('openai-stream-text.sse')
      .split(/(?<=\n\n)/)
      .slice(0, 2)
      .join('');
    const h = await afterClaude(
      (u) => ({ name: 'openrouter', protocol: 'openai', base_url: u, api_key: KEY, model: 'qwen' }),
      () => ({
        kind: 'sse',
        text: start + `data: ${JSON.stringify({ error: { message: `upstream provider rejected key ${KEY}`, code: 502 } })}\n\n`,
      }),
    );
    const res = await ask(h, true);
    expect(res.status).toBe(200);
    expect(res.body).toContain('event: error');
    expect(res.body).not.toContain(KEY);
  });
});

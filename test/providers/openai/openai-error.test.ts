// parseOpenAIError: status, body and headers of OpenAI-compatible failures → UpstreamError.

import { describe, expect, it } from 'vitest';
import { parseOpenAIError } from '../../../proxy/providers/openai/openai-error.ts';
import { fixture } from '../../helpers/fake-upstream.ts';

const json = (error: object) => JSON.stringify({ error });

describe('parseOpenAIError', () => {
  it('reads the openai-429 fixture: rate_limit_error, retry from the relevant reset header (tokens: 3.688s)', () => {
    const { status, headers } = JSON.parse(fixture('openai-429.headers.json')) as { status: number; headers: Record<string, string> };
    const body = fixture('openai-429.json');
    const error = JSON.parse(body).error as { message: string };
    const e = parseOpenAIError(status, headers, body);
    expect(e).toMatchObject({ status: 429, type: 'rate_limit_error', message: error.message });
    expect(e.permanent).toBeUndefined();
    expect(headers['x-ratelimit-reset-tokens']).toBe('3.688s');
    expect(e.retryAfterMs).toBe(3688);
  });

  it('takes the larger of the exhausted buckets when the error names none', () => {
    const headers = {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '6m0s',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1s',
    };
    expect(parseOpenAIError(429, headers, json({ message: 'Rate limit', code: 'rate_limit_exceeded' })).retryAfterMs).toBe(360_000);
    const onlyRequests = {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '360ms',
      'x-ratelimit-remaining-tokens': '5000',
      'x-ratelimit-reset-tokens': '20s',
    };
    expect(parseOpenAIError(429, onlyRequests, json({ message: 'Rate limit', code: 'rate_limit_exceeded' })).retryAfterMs).toBe(360);
  });

  it('prefers retry-after-ms, then retry-after (seconds or date), over reset headers', () => {
    const reset = { 'x-ratelimit-reset-tokens': '9s' };
    expect(parseOpenAIError(429, { ...reset, 'retry-after-ms': '1500', 'retry-after': '7' }, '{}').retryAfterMs).toBe(1500);
    expect(parseOpenAIError(429, { ...reset, 'Retry-After': '7' }, '{}').retryAfterMs).toBe(7000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    const fromDate = parseOpenAIError(429, { 'retry-after': date }, '{}').retryAfterMs!;
    expect(fromDate).toBeGreaterThan(55_000);
    expect(fromDate).toBeLessThanOrEqual(60_000);
  });

  it('falls back to "try again in …" in the message when no header says', () => {
    expect(parseOpenAIError(429, {}, json({ message: 'Please try again in 1m2.5s.', code: 'rate_limit_exceeded' })).retryAfterMs).toBe(
      62_500,
    );
    expect(parseOpenAIError(429, {}, json({ message: 'Rate limit reached' })).retryAfterMs).toBeUndefined();
  });

  it('treats 429 insufficient_quota and spend-limit codes as permanent billing errors', () => {
    for (const code of ['insufficient_quota', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded']) {
      const e = parseOpenAIError(429, { 'retry-after': '1' }, json({ message: 'You exceeded your current quota', type: code, code }));
      expect(e).toMatchObject({ status: 429, type: 'billing_error', permanent: true });
      expect(e.retryAfterMs).toBeUndefined();
    }
  });

  it('treats 402 (DeepSeek balance, OpenRouter credits) as permanent billing errors', () => {
    expect(parseOpenAIError(402, {}, json({ message: 'Insufficient Balance', type: 'unknown_error' }))).toMatchObject({
      type: 'billing_error',
      permanent: true,
      message: 'Insufficient Balance',
    });
    expect(parseOpenAIError(402, {}, json({ code: 402, message: 'Insufficient credits' }))).toMatchObject({
      type: 'billing_error',
      permanent: true,
    });
  });

  it('maps 503 to overloaded_error, 500/502 to api_error and 504 to timeout_error, as Anthropic does', () => {
    expect(parseOpenAIError(503, { 'retry-after': '2' }, json({ message: 'Server overloaded' }))).toMatchObject({
      type: 'overloaded_error',
      retryAfterMs: 2000,
    });
    for (const s of [500, 502]) expect(parseOpenAIError(s, {}, json({ message: 'boom' })).type).toBe('api_error');
    expect(parseOpenAIError(504, {}, json({ message: 'boom' })).type).toBe('timeout_error');
  });

  it('maps 401 and 403 to authentication_error and permission_error', () => {
    expect(parseOpenAIError(401, {}, json({ message: 'Incorrect API key provided', code: 'invalid_api_key' })).type).toBe(
      'authentication_error',
    );
    expect(parseOpenAIError(403, {}, json({ message: 'Country not supported' })).type).toBe('permission_error');
  });

  it('maps 400/422 to invalid_request_error and 404 to not_found_error, quoting the upstream message', () => {
    for (const s of [400, 404, 422]) {
      const e = parseOpenAIError(
        s,
        {},
        json({ message: "Invalid 'tools[0].function.name'", type: 'invalid_request_error', param: 'tools' }),
      );
      expect(e.type).toBe(s === 404 ? 'not_found_error' : 'invalid_request_error');
      expect(e.message).toContain(`"Invalid 'tools[0].function.name'"`);
      expect(e.message).toContain(String(s));
    }
  });

  it('handles non-JSON bodies (gateway HTML, plain text, empty)', () => {
    const html = parseOpenAIError(502, {}, '<html><body><h1>502 Bad Gateway</h1></body></html>');
    expect(html).toMatchObject({ status: 502, type: 'api_error', message: '502 Bad Gateway' });
    expect(parseOpenAIError(500, {}, '').message).toBe('HTTP 500');
    expect(parseOpenAIError(400, {}, '{"error":"model not found"}').message).toContain('model not found');
  });
});

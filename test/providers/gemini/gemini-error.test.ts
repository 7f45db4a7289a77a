// parseGeminiError: Gemini error bodies (gemini-429.json and the §3.5 status table) → UpstreamError.

import { describe, expect, it } from 'vitest';
import { parseGeminiError } from '../../../proxy/providers/gemini/gemini-error.ts';
import { fixture } from '../../helpers/fake-upstream.ts';

const body429 = fixture('gemini-429.json');
const parsed429 = JSON.parse(body429) as {
  error: { message: string; details: { '@type': string; retryDelay?: string; violations?: { quotaId: string; quotaValue: string }[] }[] };
};
const err = (code: number, status: string, message: string, details: unknown[] = []) =>
  JSON.stringify({ error: { code, message, status, details } });

describe('parseGeminiError', () => {
  it('429 RESOURCE_EXHAUSTED is a rate limit whose wait comes from RetryInfo.retryDelay; a per-minute quota is not permanent', () => {
    const delay = parsed429.error.details.find((d) => d['@type'].endsWith('RetryInfo'))!.retryDelay!;
    const quota = parsed429.error.details.find((d) => d.violations)!.violations![0];
    expect(quota.quotaId).not.toContain('PerDay');
    const e = parseGeminiError(429, {}, body429);
    expect(e).toMatchObject({ status: 429, type: 'rate_limit_error', retryAfterMs: Number.parseFloat(delay) * 1000 });
    expect(e.permanent).toBeFalsy();
    expect(e.message).toContain(parsed429.error.message);
  });

  it('reads fractional retry delays ("1.5s")', () => {
    const body = body429.replace(/"retryDelay": "\d+s"/, '"retryDelay": "1.5s"');
    expect(body).toContain('1.5s');
    expect(parseGeminiError(429, {}, body).retryAfterMs).toBe(1500);
  });

  it('a quotaId containing PerDay is permanent', () => {
    const body = body429.replace('GenerateRequestsPerMinutePerProjectPerModel', 'GenerateRequestsPerDayPerProjectPerModel');
    expect(body).toContain('PerDay');
    expect(parseGeminiError(429, {}, body)).toMatchObject({ type: 'rate_limit_error', permanent: true });
  });

  it('quotaValue "0" (model not on this plan) is permanent', () => {
    const body = body429.replace('"quotaValue": "10"', '"quotaValue": "0"');
    expect(body).toContain('"quotaValue": "0"');
    expect(parseGeminiError(429, {}, body).permanent).toBe(true);
  });

  it('accepts a body wrapped in […]', () => {
    expect(parseGeminiError(429, {}, `[${body429}]`)).toMatchObject({ type: 'rate_limit_error', retryAfterMs: 31000 });
  });

  it('503 UNAVAILABLE is overloaded, 500 INTERNAL is api_error', () => {
    expect(parseGeminiError(503, {}, err(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.')).type).toBe(
      'overloaded_error',
    );
    expect(parseGeminiError(500, {}, err(500, 'INTERNAL', 'An internal error has occurred.')).type).toBe('api_error');
  });

  it('400 INVALID_ARGUMENT is invalid_request_error with the upstream message quoted', () => {
    const msg =
      'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    const e = parseGeminiError(400, {}, err(400, 'INVALID_ARGUMENT', msg));
    expect(e.type).toBe('invalid_request_error');
    expect(e.message).toContain(`"${msg}"`);
  });

  it('400 with API_KEY_INVALID is an authentication error', () => {
    const body = err(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
    ]);
    expect(parseGeminiError(400, {}, body).type).toBe('authentication_error');
  });

  it('403 is permission_error and 404 is not_found_error', () => {
    expect(parseGeminiError(403, {}, err(403, 'PERMISSION_DENIED', 'denied')).type).toBe('permission_error');
    expect(parseGeminiError(404, {}, err(404, 'NOT_FOUND', 'models/gemini-0 is not found')).type).toBe('not_found_error');
  });

  it('handles bodies that are not JSON by their HTTP status', () => {
    const e = parseGeminiError(502, {}, '<html><body>Bad Gateway</body></html>');
    expect(e).toMatchObject({ status: 502, type: 'api_error' });
    expect(e.message).toContain('Bad Gateway');
    expect(parseGeminiError(429, { 'retry-after': '7' }, '')).toMatchObject({ type: 'rate_limit_error', retryAfterMs: 7000 });
    expect(parseGeminiError(503, {}, '').type).toBe('overloaded_error');
  });

  it('reads a retry-after header as an HTTP date too, as every other upstream does', () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    expect(parseGeminiError(503, { 'retry-after': at }, '').retryAfterMs).toBeGreaterThan(100_000);
  });
});

// Gemini error bodies → UpstreamError: `{error:{code,message,status,details}}`, sometimes wrapped in
// `[…]`; the retry hint is RetryInfo.retryDelay in the body, else a standard `retry-after` header
// (docs/protocols.md §3.5).

import type { ErrorType } from '../../wire/types.ts';
import type { UpstreamError } from '../provider.ts';
import { typeForStatus } from '../../wire/errors.ts';
import { retryAfterMs, type HeaderMap } from '../../headers.ts';

type Detail = { '@type'?: string; retryDelay?: string; reason?: string; violations?: { quotaId?: string; quotaValue?: string }[] };
export type GeminiErrorInfo = { code?: number; message?: string; status?: string; details?: Detail[] };

/** The `error` object of a Gemini error body (plain or wrapped in an array), or undefined. */
export function geminiErrorOf(value: unknown): GeminiErrorInfo | undefined {
  const body = Array.isArray(value) ? value[0] : value;
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  return {
    code: typeof e.code === 'number' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    status: typeof e.status === 'string' ? e.status : undefined,
    details: Array.isArray(e.details) ? (e.details.filter((d) => typeof d === 'object' && d !== null) as Detail[]) : [],
  };
}

export function parseGeminiError(status: number, headers: HeaderMap, bodyText: string): UpstreamError {
  let info: GeminiErrorInfo | undefined;
  try {
    info = geminiErrorOf(JSON.parse(bodyText));
  } catch {
    info = undefined; // an HTML page from a gateway, an empty body…
  }
  const httpStatus = status || info?.code || 0;
  const type = geminiErrorType(httpStatus, info);
  const upstream = info?.message ?? (bodyText.trim().slice(0, 300) || `HTTP ${httpStatus}`);
  const message = type === 'invalid_request_error' ? `Gemini rejected the request: "${upstream}"` : `Gemini: ${upstream}`;
  const out: UpstreamError = { status: httpStatus, type, message };
  const retry = retryDelayMs(info) ?? retryAfterMs(headers);
  if (retry !== undefined) out.retryAfterMs = retry;
  if (type === 'rate_limit_error' && isPermanentQuota(info)) out.permanent = true;
  return out;
}

/** Anthropic error type for a Gemini HTTP status and gRPC status (also used for in-stream errors). */
export function geminiErrorType(status: number, info: GeminiErrorInfo | undefined): ErrorType {
  const reasons = (info?.details ?? []).map((d) => d.reason ?? '');
  if (reasons.includes('API_KEY_INVALID') || /API_KEY_INVALID|API key not valid/i.test(info?.message ?? '')) return 'authentication_error';
  switch (info?.status) {
    case 'RESOURCE_EXHAUSTED':
      return 'rate_limit_error';
    case 'UNAVAILABLE':
      return 'overloaded_error';
    case 'INTERNAL':
    case 'UNKNOWN':
      return 'api_error';
    case 'DEADLINE_EXCEEDED':
      return 'timeout_error';
    case 'UNAUTHENTICATED':
      return 'authentication_error';
    case 'PERMISSION_DENIED':
      return 'permission_error';
    case 'NOT_FOUND':
      return 'not_found_error';
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
    case 'OUT_OF_RANGE':
      return 'invalid_request_error';
    default:
      return typeForStatus(status);
  }
}

/** RetryInfo.retryDelay is a protobuf Duration: "31s", "1.5s". */
function retryDelayMs(info: GeminiErrorInfo | undefined): number | undefined {
  for (const d of info?.details ?? []) {
    if (!d['@type']?.endsWith('google.rpc.RetryInfo') || typeof d.retryDelay !== 'string') continue;
    const m = /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay.trim());
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  return undefined;
}

/** A daily quota (`…PerDay…`) or a quota of 0 (model not on this plan) will not clear by waiting briefly. */
function isPermanentQuota(info: GeminiErrorInfo | undefined): boolean {
  for (const d of info?.details ?? []) {
    if (!d['@type']?.endsWith('google.rpc.QuotaFailure')) continue;
    for (const v of d.violations ?? []) if (v.quotaId?.includes('PerDay') || v.quotaValue === '0') return true;
  }
  return false;
}

// Classifies an OpenAI-compatible error answer (OpenAI, DeepSeek, OpenRouter, Groq, vLLM…) as an
// UpstreamError: Anthropic error type, retry hint from headers or message, and permanence (billing).

import type { ErrorType } from '../../wire/types.ts';
import { parseDuration } from '../../duration.ts';
import type { UpstreamError } from '../provider.ts';
import type { OpenAIErrorObject } from './openai-types.ts';
import { typeForStatus } from '../../wire/errors.ts';
import { header, resetDurationMs, retryAfterMs, type HeaderMap } from '../../headers.ts';

/** 429 codes that waiting will not clear (OpenAI billing / spend limits). */
const QUOTA_CODES = new Set([
  'insufficient_quota',
  'billing_hard_limit_reached',
  'billing_not_active',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'spend_limit_exceeded',
]);

export function parseOpenAIError(status: number, headers: HeaderMap, bodyText: string): UpstreamError {
  const error = errorObject(bodyText);
  const upstream = error?.message?.trim() || plainText(bodyText) || `HTTP ${status}`;
  const code = error?.code === undefined || error.code === null ? '' : String(error.code);
  const type = typeForStatus(status);
  const result: UpstreamError = { status, type, message: upstream };

  switch (type) {
    case 'rate_limit_error':
      if (QUOTA_CODES.has(code) || QUOTA_CODES.has(error?.type ?? '')) {
        result.type = 'billing_error';
        result.permanent = true;
        result.message = `quota or spend limit reached (${code || error?.type}): ${upstream}`;
        return result;
      }
      result.retryAfterMs = retryAfterMs(headers) ?? rateLimitReset(headers, error?.type) ?? retryInMessage(upstream);
      break;
    case 'billing_error':
      result.permanent = true;
      break;
    case 'overloaded_error':
    case 'api_error':
      result.retryAfterMs = retryAfterMs(headers);
      break;
    case 'invalid_request_error':
    case 'not_found_error':
      result.message = `upstream rejected the request (${status}): "${upstream}"`;
      break;
    case 'authentication_error':
    case 'permission_error':
    case 'request_too_large':
    case 'timeout_error':
      break;
    default: {
      const never: never = type;
      return never;
    }
  }
  if (result.retryAfterMs === undefined) delete result.retryAfterMs;
  return result;
}

/** An in-stream `{"error":…}` object → Anthropic error type, from its numeric (OpenRouter) or string code. */
export function mapOpenAIStreamErrorType(error: OpenAIErrorObject): ErrorType {
  if (typeof error.code === 'number') return typeForStatus(error.code);
  const code = `${error.code ?? ''} ${error.type ?? ''}`;
  if (/insufficient_quota|spend_limit|billing/.test(code)) return 'billing_error';
  if (/rate_limit/.test(code)) return 'rate_limit_error';
  if (/overloaded|unavailable/.test(code)) return 'overloaded_error';
  if (/invalid_request|context_length/.test(code)) return 'invalid_request_error';
  return 'api_error';
}

function errorObject(bodyText: string): OpenAIErrorObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (Array.isArray(value)) value = value[0];
  if (!value || typeof value !== 'object') return undefined;
  const inner = (value as { error?: unknown }).error;
  if (inner && typeof inner === 'object') return inner as OpenAIErrorObject;
  if (typeof inner === 'string') return { message: inner }; // some servers (Ollama, vLLM) send a bare string
  const message = (value as { message?: unknown }).message;
  return typeof message === 'string' ? { message } : undefined;
}

/** A short readable version of a non-JSON body (an HTML error page from a gateway). */
function plainText(bodyText: string): string {
  return bodyText
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/**
 * `x-ratelimit-reset-{requests,tokens}` are durations (`1s`, `6m0s`, `360ms`, `3.688s`). The relevant
 * bucket is the one the error names (`type: "tokens"`), else any that is exhausted, else both;
 * the larger wait wins, since retrying before it fails again.
 */
function rateLimitReset(headers: HeaderMap, errorType: string | undefined): number | undefined {
  const buckets = ['requests', 'tokens'].map((name) => ({
    name,
    reset: resetDurationMs(header(headers, `x-ratelimit-reset-${name}`)),
    remaining: Number(header(headers, `x-ratelimit-remaining-${name}`) ?? NaN),
  }));
  const known = buckets.filter((b) => b.reset !== undefined);
  if (known.length === 0) return undefined;
  const named = known.filter((b) => b.name === errorType);
  const exhausted = known.filter((b) => b.remaining === 0);
  const relevant = named.length > 0 ? named : exhausted.length > 0 ? exhausted : known;
  return Math.max(...relevant.map((b) => b.reset as number));
}

/** "Please try again in 3.688s" / "in 20ms" / "in 1m2.5s" inside the message. */
function retryInMessage(message: string): number | undefined {
  const m = /try again in ((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)/i.exec(message);
  return m ? parseDuration(m[1]) : undefined;
}

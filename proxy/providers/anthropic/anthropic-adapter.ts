// `protocol: anthropic` on Anthropic itself or a gateway in front of it (proxy/first-party.ts isFirstParty;
// a compatible vendor gets anthropic-vendor-adapter.ts). Nothing is translated: the request goes as
// Claude Code sent it (the tier's key and model aside), its answers and error answers come back byte for
// byte, and so does any other path. It has every optional capability: exact window counting,
// count_tokens and pass-through of other paths.

import { errorAnswer, statusForType } from '../../wire/errors.ts';
import { usageOf } from '../../wire/usage.ts';
import { responseHeaders } from '../../headers.ts';
import { UpstreamResponseError, type AnswerReader, type ProviderAdapter } from '../provider.ts';
import { parseAnthropicError } from './anthropic-error.ts';
import { anthropicBody, anthropicHeaders } from './anthropic-request.ts';
import { createPassThroughStream } from './anthropic-stream.ts';
import { anthropicUrl } from './anthropic-url.ts';

/** The answer as it came; only its usage is read. A 200 whose body is an Anthropic error is that error. */
const passThrough: AnswerReader = {
  stream: createPassThroughStream,
  whole({ text, json, headers }) {
    const type =
      (json as { type?: unknown; error?: { type?: unknown } } | null)?.type === 'error'
        ? (json as { error?: { type?: unknown } }).error?.type
        : undefined;
    if (type !== undefined) throw new UpstreamResponseError(parseAnthropicError(statusForType(String(type)), headers, text));
    return { body: text, headers: responseHeaders(headers, ['content-encoding']), usage: usageOf(json) };
  },
};

export const anthropicAdapter: ProviderAdapter = {
  // Anthropic counts exactly and answers a too-long prompt with the error Claude Code compacts on.
  exactWindow: true,
  prepare(req, { tier, model }) {
    // `{base_url}{path}?{query}`: `https://api.deepseek.com/anthropic` + `/v1/messages?beta=true` (anthropic-url.ts).
    const request = {
      url: anthropicUrl(tier.baseUrl, req.path),
      method: 'POST',
      headers: anthropicHeaders(tier, req.headers, { identity: true }),
      body: anthropicBody(req, model),
    };
    return { request, warnings: [], answer: passThrough };
  },
  // Asked uncompressed: the proxy redacts keys from what passes (engine/forward.ts).
  countTokens: (req, { tier, model }) => ({
    url: anthropicUrl(tier.baseUrl, req.path),
    method: 'POST',
    headers: anthropicHeaders(tier, req.headers, { identity: true }),
    body: anthropicBody(req, model),
  }),
  passThrough: (tier, req) => ({
    url: anthropicUrl(tier.baseUrl, req.path),
    method: req.method,
    headers: anthropicHeaders(tier, req.headers, { identity: true }),
    body: req.body,
  }),
  parseError: parseAnthropicError,
  // Anthropic's own answer says best what is wrong with the request: it goes to Claude Code as it came.
  clientError: (error, upstream, tier) => upstream ?? errorAnswer(error.status || 502, error.type, `${tier.name}: ${error.message}`),
};

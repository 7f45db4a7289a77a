// `protocol: gemini`: glues the Gemini converters into a provider adapter. The upstream request is
// built from scratch (no client header is forwarded); the key goes in `x-goog-api-key`, never in
// `?key=`, so it cannot reach a log line with the URL.

import { translatingAdapter } from '../translated.ts';
import { parseGeminiError } from './gemini-error.ts';
import { toGeminiRequest } from './gemini-request.ts';
import { fromGeminiResponse } from './gemini-response.ts';
import { createGeminiStreamTransform } from './gemini-stream.ts';

/** `{baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse` or `…:generateContent`. */
function geminiUrl(baseUrl: string, model: string, stream: boolean): string {
  const name = encodeURIComponent(model.replace(/^models\//, ''));
  return `${baseUrl}/v1beta/models/${name}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
}

export const geminiAdapter = translatingAdapter({
  toRequest(req, opts) {
    const { body, warnings, context } = toGeminiRequest(req, opts);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: opts.stream ? 'text/event-stream' : 'application/json',
      ...opts.tier.headers,
    };
    if (opts.tier.apiKey) headers['x-goog-api-key'] = opts.tier.apiKey;
    return {
      request: { url: geminiUrl(opts.tier.baseUrl, opts.model, opts.stream), headers, body: JSON.stringify(body) },
      warnings,
      context,
    };
  },
  createStreamTransform: createGeminiStreamTransform,
  fromResponse: fromGeminiResponse,
  parseError: parseGeminiError,
});

// The `protocol: openai` adapter: Chat Completions at {baseUrl}/chat/completions with a Bearer key.
// Headers are built from scratch: nothing of Claude Code's (anthropic-*, x-api-key, Authorization) leaks.

import { translatingAdapter } from '../translated.ts';
import { parseOpenAIError } from './openai-error.ts';
import { toOpenAIRequest } from './openai-request.ts';
import { fromOpenAIResponse } from './openai-response.ts';
import { createOpenAIStreamTransform } from './openai-stream.ts';

export const openaiAdapter = translatingAdapter({
  toRequest(req, opts) {
    const { body, warnings, context } = toOpenAIRequest(req, opts);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: opts.stream ? 'text/event-stream' : 'application/json',
    };
    if (opts.tier.apiKey) headers.authorization = `Bearer ${opts.tier.apiKey}`;
    // The tier's own configured headers (OpenRouter's HTTP-Referer, a gateway key) come last.
    for (const [name, value] of Object.entries(opts.tier.headers ?? {})) headers[name.toLowerCase()] = value;
    return { request: { url: `${opts.tier.baseUrl}/chat/completions`, headers, body: JSON.stringify(body) }, warnings, context };
  },
  createStreamTransform: createOpenAIStreamTransform,
  fromResponse: fromOpenAIResponse,
  parseError: parseOpenAIError,
});

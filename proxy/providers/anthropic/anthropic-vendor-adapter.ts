// `protocol: anthropic` on a vendor that is not Anthropic (DeepSeek's /anthropic endpoint and the like):
// the wire format is Anthropic's, but the vendor's rules are its own (vendors.md). The request is made
// to fit the tier (media it cannot read become placeholders, capabilities/media-fit.ts; its own thinking
// restored and any other removed, DeepSeek's thinking switched off explicitly, vendor.ts), and the
// answer's thinking blocks are marked as the proxy's (vendor-thinking.ts) so they never reach Anthropic.
// Its answers are read as events, not passed as bytes, so the marks can go in.

import { errorAnswer, statusForType } from '../../wire/errors.ts';
import { usageOf } from '../../wire/usage.ts';
import type { Message } from '../../wire/types.ts';
import { tierSecrets } from '../../redact.ts';
import { tierCapabilities } from '../../capabilities/tier-capabilities.ts';
import { fitMedia } from '../../capabilities/media-fit.ts';
import { translatedStream } from '../translated.ts';
import { UpstreamResponseError, type EventsAdapter } from '../provider.ts';
import { parseAnthropicError } from './anthropic-error.ts';
import { anthropicHeaders } from './anthropic-request.ts';
import { anthropicUrl } from './anthropic-url.ts';
import { prepareForVendor } from './vendor.ts';
import { createVendorThinkingMarker, markVendorMessage } from './vendor-thinking.ts';

export const anthropicVendorAdapter: EventsAdapter = {
  relays: 'events',
  prepare(req, { tier, model }) {
    const caps = tierCapabilities(tier, model);
    const fitted = fitMedia(req.body, caps);
    const vendor = prepareForVendor(fitted.request, tier.name, caps.thinking);
    const out = vendor.request ?? fitted.request;
    const body = out !== req.body || model !== req.body.model ? JSON.stringify({ ...out, model }) : req.raw;
    const request = { url: anthropicUrl(tier.baseUrl, req.path), method: 'POST', headers: anthropicHeaders(tier, req.headers, { identity: true }), body };
    return {
      request,
      warnings: [...fitted.warnings, ...vendor.warnings],
      answer: {
        stream: () => translatedStream(createVendorThinkingMarker(tier.name), tierSecrets(tier)),
        whole({ text, json, headers }) {
          const j = json as { type?: unknown; error?: { type?: unknown } } | null;
          if (j?.type === 'error') throw new UpstreamResponseError(parseAnthropicError(statusForType(String(j.error?.type)), headers, text));
          const message = markVendorMessage(json as Message, tier.name);
          return { body: JSON.stringify(message), headers: { 'content-type': 'application/json' }, usage: usageOf(message) };
        },
      },
    };
  },
  parseError: parseAnthropicError,
  // A vendor's error body need not be Anthropic's shape (DeepSeek's are OpenAI-shaped): Claude Code gets Anthropic's.
  clientError: (error, _upstream, tier) => errorAnswer(error.status || 502, error.type, `${tier.name}: ${error.message}`),
};

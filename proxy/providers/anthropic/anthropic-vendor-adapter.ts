// `protocol: anthropic` on a vendor that is not Anthropic (DeepSeek's /anthropic endpoint and the like):
// the wire format is Anthropic's, but the vendor's rules are its own (vendors.md). The request is made
// to fit the tier (media it cannot read become placeholders, capabilities/media-fit.ts; its own thinking
// restored and any other removed, DeepSeek's thinking switched off explicitly, vendor.ts), and the
// answer's thinking blocks are marked as the proxy's (vendor-thinking.ts) so they never reach Anthropic.
// Its answers are read as events, not passed as bytes, so the marks can go in. count_tokens goes with the
// body a messages request would send this vendor (never Anthropic's fitting), other paths as they came
// (what Claude Code pointed at the vendor itself would send). It does not count exactly for the proxy:
// its window is checked by the local estimate, like any fallback tier's.

import { errorAnswer, statusForType } from '../../wire/errors.ts';
import { usageOf } from '../../wire/usage.ts';
import type { Message } from '../../wire/types.ts';
import { tierSecrets } from '../../redact.ts';
import { tierCapabilities } from '../../capabilities/tier-capabilities.ts';
import { fitMedia } from '../../capabilities/media-fit.ts';
import { translatedStream } from '../translated.ts';
import { UpstreamResponseError, type ClientRequest, type ProviderAdapter } from '../provider.ts';
import type { TierConfig } from '../../config.ts';
import { parseAnthropicError } from './anthropic-error.ts';
import { anthropicMessageProblem } from './anthropic-event.ts';
import { anthropicHeaders } from './anthropic-request.ts';
import { anthropicUrl } from './anthropic-url.ts';
import { prepareForVendor } from './vendor.ts';
import { createVendorThinkingMarker, markVendorMessage } from './vendor-thinking.ts';

export const anthropicVendorAdapter: ProviderAdapter = {
  prepare(req, { tier, model }) {
    const { body, warnings } = vendorBody(req, tier, model);
    const request = {
      url: anthropicUrl(tier.baseUrl, req.path),
      method: 'POST',
      headers: anthropicHeaders(tier, req.headers, { identity: true }),
      body,
    };
    return {
      request,
      warnings,
      answer: {
        stream: () => translatedStream((warn) => createVendorThinkingMarker(tier.name, warn), tierSecrets(tier)),
        whole({ text, json, headers }) {
          const j = json as { type?: unknown; error?: { type?: unknown } } | null;
          if (j?.type === 'error')
            throw new UpstreamResponseError(parseAnthropicError(statusForType(String(j.error?.type)), headers, text));
          const problem = anthropicMessageProblem(json);
          if (problem !== null)
            throw new UpstreamResponseError({ status: 502, type: 'api_error', message: `${tier.name} sent an answer ${problem}` });
          const message = markVendorMessage(json as Message, tier.name);
          return { body: JSON.stringify(message), headers: { 'content-type': 'application/json' }, usage: usageOf(message) };
        },
      },
    };
  },
  // Asked uncompressed: the proxy redacts keys from what passes (engine/forward.ts).
  countTokens: (req, { tier, model }) => ({
    url: anthropicUrl(tier.baseUrl, req.path),
    method: 'POST',
    headers: anthropicHeaders(tier, req.headers, { identity: true }),
    body: vendorBody(req, tier, model).body,
  }),
  passThrough: (tier, req) => ({
    url: anthropicUrl(tier.baseUrl, req.path),
    method: req.method,
    headers: anthropicHeaders(tier, req.headers, { identity: true }),
    body: req.body,
  }),
  parseError: parseAnthropicError,
  // A vendor's error body need not be Anthropic's shape (DeepSeek's are OpenAI-shaped): Claude Code gets Anthropic's.
  clientError: (error, _upstream, tier) => errorAnswer(error.status || 502, error.type, `${tier.name}: ${error.message}`),
};

/** The body for this vendor: media it cannot read as placeholders, its thinking rules, its model; the client's bytes when nothing changed. */
function vendorBody(req: ClientRequest, tier: TierConfig, model: string): { body: string | Buffer; warnings: string[] } {
  const caps = tierCapabilities(tier, model);
  const fitted = fitMedia(req.body, caps);
  const vendor = prepareForVendor(fitted.request, tier.name, caps.thinking);
  const out = vendor.request ?? fitted.request;
  const body = out !== req.body || model !== req.body.model ? JSON.stringify({ ...out, model }) : req.raw;
  return { body, warnings: [...fitted.warnings, ...vendor.warnings] };
}

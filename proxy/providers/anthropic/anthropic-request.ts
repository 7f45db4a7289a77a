// The request to a tier that speaks Anthropic's protocol: the client's path, query, headers and body as
// they came, with the tier's own key when it has one, and its own model name. The client's credentials go
// only to a tier the config marked `clientCredentials` (tier 0, Anthropic itself, `credentials: client`).
// The body is sent as its original bytes unless something must change (signed thinking stays intact).
//
// What may change: a conversation that a fallback continued is made acceptable to Anthropic again.
// Thinking blocks the proxy made are removed (Anthropic would reject their signature), so are assistant
// text blocks with nothing but whitespace (a fallback may stream "\n\n" before its tool calls; Anthropic
// answers 400 "text content blocks must contain non-whitespace text"), and when the latest tool-use turn
// has no genuine thinking block, the request goes without `thinking` (Anthropic requires one there).

import type { IncomingHttpHeaders } from 'node:http';
import type { TierConfig } from '../../config.ts';
import { forwardableHeaders } from '../../headers.ts';
import type { ContentBlockParam, MessageParam, MessagesRequest } from '../../wire/types.ts';
import { isProxySignature } from '../../wire/proxy-signature.ts';
import type { ClientRequest } from '../provider.ts';

function isGenuineThinking(block: ContentBlockParam): boolean {
  if (block.type === 'redacted_thinking') return true;
  return block.type === 'thinking' && block.signature !== '' && !isProxySignature(block.signature);
}

function isUnsignedThinking(block: ContentBlockParam): boolean {
  return block.type === 'thinking' && !isGenuineThinking(block);
}

/** What Anthropic refuses in an assistant turn that another provider wrote. */
function isRefused(block: ContentBlockParam): boolean {
  return isUnsignedThinking(block) || (block.type === 'text' && !/\S/.test(block.text));
}

/** A new request when something had to change, else null (so the original bytes can go as they came). */
export function prepareForAnthropic(req: MessagesRequest): MessagesRequest | null {
  let messages: MessageParam[] | null = null;
  req.messages.forEach((m, i) => {
    if (m.role !== 'assistant' || typeof m.content === 'string' || !m.content.some(isRefused)) return;
    messages ??= req.messages.slice();
    messages[i] = { ...m, content: m.content.filter((b) => !isRefused(b)) };
  });
  const msgs: MessageParam[] = (messages ?? req.messages).filter((m) => typeof m.content === 'string' || m.content.length > 0);
  const dropThinking = thinkingWouldBeRejected(req, msgs);
  if (messages === null && !dropThinking) return null;

  const out: MessagesRequest = { ...req, messages: msgs };
  if (dropThinking) {
    delete out.thinking;
    const cm = out.context_management as { edits?: { type?: string }[] } | undefined;
    // Thinking-clearing edits are only valid with thinking on.
    const edits = cm?.edits?.filter((e) => !String(e.type).startsWith('clear_thinking'));
    if (cm && edits && edits.length > 0) out.context_management = { ...cm, edits };
    else delete out.context_management;
  }
  return out;
}

/** With thinking on, the assistant turn that opened the current tool loop must start with genuine thinking. */
function thinkingWouldBeRejected(req: MessagesRequest, messages: MessageParam[]): boolean {
  if (!req.thinking || req.thinking.type === 'disabled') return false;
  const last = messages[messages.length - 1];
  if (!last || typeof last.content === 'string') return false;
  const inToolLoop = last.role === 'user' ? last.content.some((b) => b.type === 'tool_result') : true;
  if (!inToolLoop) return false;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'assistant') continue;
    if (typeof m.content === 'string') return false;
    if (!m.content.some((b) => b.type === 'tool_use')) return false;
    return !isGenuineThinking(m.content[0]);
  }
  return false;
}

/** The body for `model`: the bytes as they came when nothing changes, else the prepared request re-serialised. */
export function anthropicBody(req: Pick<ClientRequest, 'body' | 'raw'>, model: string): Buffer | string {
  // What a fallback left in the history is sent (and counted) the way Anthropic will take it.
  const prepared = prepareForAnthropic(req.body);
  return prepared || model !== req.body.model ? JSON.stringify({ ...(prepared ?? req.body), model }) : req.raw;
}

/** Headers the client sends that no upstream may see: the proxy's token, and cookies (a browser's, meant for this host). */
const PROXY_ONLY = ['x-fallback-token', 'cookie'];

export function anthropicHeaders(
  tier: TierConfig,
  clientHeaders: IncomingHttpHeaders,
  opts: { identity?: boolean } = {},
): Record<string, string> {
  // The proxy reads /v1/messages streams (holdback, usage), so it asks for them uncompressed.
  const drop = opts.identity ? [...PROXY_ONLY, 'accept-encoding'] : PROXY_ONLY;
  const headers = forwardableHeaders(clientHeaders, tier.clientCredentials ? drop : [...drop, 'x-api-key', 'authorization']);
  if (tier.apiKey) headers['x-api-key'] = tier.apiKey;
  if (tier.headers) Object.assign(headers, tier.headers);
  return headers;
}

// `protocol: anthropic` tiers are either Anthropic itself or a vendor that speaks its wire format. A
// vendor is not Anthropic: it cannot check Anthropic's thinking signatures, Anthropic cannot check its,
// and it may think when Anthropic would not. This module decides which a tier is and what a request to
// a vendor must look like (proxy/providers/anthropic/vendors.md lists each rule with its source).

import type { ContentBlockParam, MessageParam, MessagesRequest } from '../../wire/types.ts';
import type { ThinkingStyle } from '../../capabilities/model-profiles.ts';
import { restoreVendorThinking } from './vendor-thinking.ts';

export type VendorRequest = {
  /** The request to send, or null when the client's bytes can go as they came. */
  request: MessagesRequest | null;
  /** Why something changed (for --verbose). */
  warnings: string[];
};

/**
 * A request for the vendor tier `tier` whose model thinks in `style`:
 * - thinking blocks this tier made come back as the vendor sent them; every other thinking block
 *   (Anthropic's, another tier's, another provider's) is removed: the vendor cannot verify it;
 * - a model that thinks unless told not to (`deepseek`) is told so, `thinking: {type: "disabled"}`,
 *   whenever Anthropic's semantics say no thinking: the client asked for none, or an earlier tool-call
 *   turn has no thinking of this tier's (DeepSeek answers 400 "The `content[].thinking` in the thinking
 *   mode must be passed back to the API." otherwise: https://api-docs.deepseek.com/guides/thinking_mode,
 *   https://github.com/NousResearch/hermes-agent/issues/15700); with thinking off no thinking block is sent;
 * - any other style follows Anthropic's own rule: thinking on needs the turn that opened the current
 *   tool loop to start with thinking, else the request goes without `thinking`;
 * - a `system` message between the turns (Anthropic takes them from Claude 4.8 on, and Claude Code
 *   2.1.332 sends them: https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages)
 *   becomes `<system-reminder>` text in the user turn before it, the form Claude Code itself uses
 *   where the role is not available; no vendor documents the role.
 */
export function prepareForVendor(req: MessagesRequest, tier: string, style: ThinkingStyle): VendorRequest {
  const warnings: string[] = [];
  const inlined = inlineSystemMessages(req.messages);
  let changed = inlined !== req.messages;
  let removed = 0;
  let messages: MessageParam[] = inlined.map((m) => {
    if (m.role !== 'assistant' || typeof m.content === 'string') return m;
    const content: ContentBlockParam[] = [];
    let touched = false;
    for (const b of m.content) {
      const kept = restoreVendorThinking(b, tier);
      if (kept === null) removed++;
      else content.push(kept);
      if (kept !== b) touched = true;
    }
    if (!touched) return m;
    changed = true;
    return { ...m, content };
  });
  if (removed > 0) warnings.push(`removed ${removed} thinking block(s) ${tier} did not write (it cannot verify them)`);

  const wanted = req.thinking !== undefined && req.thinking.type !== 'disabled';
  let thinkingOn = wanted;
  if (wanted && style === 'deepseek') {
    const missing = messages.filter((m) => m.role === 'assistant' && hasToolUse(m) && !hasThinking(m)).length;
    if (missing > 0) {
      thinkingOn = false;
      warnings.push(`thinking turned off for this request: ${missing} earlier tool-call turn(s) have no ${tier} thinking to pass back`);
    }
  } else if (wanted && !loopOpenerThinks(messages)) {
    thinkingOn = false;
    warnings.push('thinking left out: the turn that opened this tool loop has no thinking block of this tier');
  }

  const out: MessagesRequest = { ...req };
  if (!thinkingOn) {
    const before = messages;
    messages = messages.map((m) =>
      m.role === 'assistant' && typeof m.content !== 'string' && m.content.some(isThinking)
        ? { ...m, content: m.content.filter((b) => !isThinking(b)) }
        : m,
    );
    if (messages.some((m, i) => m !== before[i])) changed = true;
    if (style === 'deepseek') {
      if (req.thinking?.type !== 'disabled') changed = true;
      out.thinking = { type: 'disabled' };
    } else if (req.thinking !== undefined && wanted) {
      changed = true;
      delete out.thinking;
    }
    if (withoutThinkingEdits(out)) changed = true;
  }
  if (!changed) return { request: null, warnings };
  out.messages = messages.filter((m) => typeof m.content === 'string' || m.content.length > 0);
  return { request: out, warnings };
}

/** `system` messages as `<system-reminder>` text at the end of the user turn before them (or a new one). */
export function inlineSystemMessages(messages: MessageParam[]): MessageParam[] {
  if (!messages.some((m) => (m.role as string) === 'system')) return messages;
  const out: MessageParam[] = [];
  for (const m of messages) {
    if ((m.role as string) !== 'system') {
      out.push(m);
      continue;
    }
    const text = typeof m.content === 'string' ? m.content : m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n\n');
    const reminder: ContentBlockParam = { type: 'text', text: `<system-reminder>\n${text}\n</system-reminder>` };
    const prev = out.at(-1);
    if (prev?.role === 'user') {
      const content: ContentBlockParam[] = typeof prev.content === 'string' ? [{ type: 'text', text: prev.content }] : [...prev.content];
      out[out.length - 1] = { ...prev, content: [...content, reminder] };
    } else out.push({ role: 'user', content: [reminder] });
  }
  return out;
}

function isThinking(b: ContentBlockParam): boolean {
  return b.type === 'thinking' || b.type === 'redacted_thinking';
}

function hasToolUse(m: MessageParam): boolean {
  return typeof m.content !== 'string' && m.content.some((b) => b.type === 'tool_use');
}

function hasThinking(m: MessageParam): boolean {
  return typeof m.content !== 'string' && m.content.some(isThinking);
}

/** Anthropic's rule: in a tool loop, the assistant turn that opened it starts with thinking. */
function loopOpenerThinks(messages: MessageParam[]): boolean {
  const last = messages.at(-1);
  if (!last || typeof last.content === 'string' || last.role !== 'user' || !last.content.some((b) => b.type === 'tool_result')) return true;
  let opener: MessageParam | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'user' && (typeof m.content === 'string' || !m.content.some((b) => b.type === 'tool_result'))) break;
    if (m.role === 'assistant') opener = m;
  }
  if (!opener || typeof opener.content === 'string') return false;
  return opener.content.length > 0 && isThinking(opener.content[0]);
}

/** Thinking-clearing context edits are only valid with thinking on; true when some were removed. */
function withoutThinkingEdits(out: MessagesRequest): boolean {
  const cm = out.context_management as { edits?: { type?: string }[] } | undefined;
  if (!cm?.edits?.some((e) => String(e.type).startsWith('clear_thinking'))) return false;
  const edits = cm.edits.filter((e) => !String(e.type).startsWith('clear_thinking'));
  if (edits.length > 0) out.context_management = { ...cm, edits };
  else delete out.context_management;
  return true;
}

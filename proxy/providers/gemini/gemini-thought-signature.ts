// Gemini thoughtSignature bookkeeping: where a signature is remembered (the store, and the proxy-made
// thinking block Claude Code echoes back, which survives a proxy restart) and how it is found again.
// https://ai.google.dev/gemini-api/docs/thought-signatures

import { decodeProxySignature, encodeProxySignature } from '../../wire/proxy-signature.ts';
import type { ContentBlockParam } from '../../wire/types.ts';

/** Google's documented value for function calls Gemini did not produce (history from other models). */
export const DUMMY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export const GEMINI_PROVIDER = 'gemini';

/** The store key of the signature that came with a tool_use's functionCall part. */
export function thoughtSignatureKey(toolUseId: string): string {
  return `gemini.thoughtSignature:${toolUseId}`;
}

/** The signature of a thinking block the proxy made from Gemini output, with signatures by tool_use id. */
export function geminiThinkingSignature(state?: Record<string, string>): string {
  return encodeProxySignature(state && Object.keys(state).length > 0 ? { provider: GEMINI_PROVIDER, state } : { provider: GEMINI_PROVIDER });
}

/** Signatures by tool_use id carried in the echoed Gemini thinking blocks of one assistant message. */
export function signaturesFromThinking(blocks: readonly ContentBlockParam[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const b of blocks) {
    if (b.type !== 'thinking') continue;
    const payload = decodeProxySignature(b.signature);
    if (payload?.provider !== GEMINI_PROVIDER || !payload.state) continue;
    for (const [id, sig] of Object.entries(payload.state)) if (typeof sig === 'string') found[id] = sig;
  }
  return found;
}

/**
 * Whether Gemini issued this tool_use id, so it may be echoed as functionCall/functionResponse `id`.
 * Ids the proxy mints (`toolu_…`) and other providers' ids (Anthropic `toolu_…`, OpenAI/DeepSeek
 * `call_…`) are never sent: Gemini accepts only ids it issued (docs/protocols.md §3.4).
 */
export function isGeminiIssuedId(id: string): boolean {
  return !id.startsWith('toolu_') && !id.startsWith('call_');
}

/**
 * The store key of the id Gemini gave a call whose tool_use got a fresh id: Gemini repeats ids such as
 * `function-call-1` across turns, and Claude Code (and Anthropic) need tool_use ids unique in the conversation.
 */
export function geminiCallIdKey(toolUseId: string): string {
  return `gemini.callId:${toolUseId}`;
}

/** The id to echo to Gemini for a tool_use, or undefined (ids Gemini did not issue are never sent). */
export function geminiIdFor(toolUseId: string, store: { get(key: string): string | undefined }): string | undefined {
  const original = store.get(geminiCallIdKey(toolUseId));
  if (original !== undefined) return original;
  return isGeminiIssuedId(toolUseId) ? toolUseId : undefined;
}

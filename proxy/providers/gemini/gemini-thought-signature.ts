// Gemini thoughtSignature bookkeeping: where a signature is remembered (the store, and the proxy-made
// thinking block Claude Code echoes back, which survives a proxy restart) and how it is found again.
// https://ai.google.dev/gemini-api/docs/thought-signatures

import { decodeProxySignature, encodeProxySignature } from '../../wire/proxy-signature.ts';
import type { ContentBlockParam } from '../../wire/types.ts';

/** Google's documented value for function calls Gemini did not produce (history from other models). */
export const DUMMY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export const GEMINI_PROVIDER = 'gemini';

/**
 * Which Gemini models refuse a function call of the current turn that has no thoughtSignature (400
 * INVALID_ARGUMENT `Function call is missing a thought_signature in functionCall parts. … position N`),
 * first row that matches wins. The dummy signature is the documented way through for calls another
 * model made (https://ai.google.dev/gemini-api/docs/thought-signatures#faqs).
 */
export const SIGNATURE_RULES: readonly { match: RegExp; validates: boolean; source: string }[] = [
  // The aliases follow the newest release, Gemini 3 now (https://github.com/google-gemini/gemini-cli/issues/20588).
  { match: /^gemini-(flash|pro|flash-lite)-latest$/, validates: true, source: 'https://github.com/sterlp/eclipse-peon-ai/issues/115' },
  // Gemini 3 and later validate the current turn's calls (https://ai.google.dev/gemini-api/docs/thought-signatures).
  { match: /^gemini-([3-9]|\d{2,})/, validates: true, source: 'https://ai.google.dev/gemini-api/docs/thought-signatures' },
  // Gemini 2.5 (Pro, Flash, Flash-Lite) refuses the same since 2026-04/05, thinking on or off (Flash-Lite
  // thinks only when asked): https://github.com/Gitlawb/openclaude/issues/583,
  // https://github.com/Mirrowel/LLM-API-Key-Proxy/issues/160, https://github.com/rowboatlabs/rowboat/issues/694.
  { match: /^gemini-2\.5/, validates: true, source: 'https://github.com/Mirrowel/LLM-API-Key-Proxy/issues/160' },
  // 2.0 and older neither think nor sign (the workaround in openclaude#583 is gemini-2.0-flash).
  { match: /^gemini-/, validates: false, source: 'https://github.com/Gitlawb/openclaude/issues/583' },
];

/** Whether `model` refuses an unsigned function call of the current turn (SIGNATURE_RULES; an unknown name: yes, the dummy is harmless). */
export function validatesThoughtSignatures(model: string): boolean {
  const name = model.toLowerCase();
  const bare = name.slice(name.lastIndexOf('/') + 1); // `models/gemini-2.5-flash`
  return SIGNATURE_RULES.find((r) => r.match.test(bare))?.validates ?? true;
}

/**
 * Where the current turn begins: after the last message that is the user's own words (a prompt with text
 * and no tool results). Gemini checks signatures only from there on ("a turn begins with a user prompt";
 * function responses continue it: https://ai.google.dev/gemini-api/docs/thought-signatures). Shared by the
 * Gemini converter (on its contents) and the OpenAI converter on Google's endpoint (on Anthropic turns).
 */
export function currentTurnStart<T>(items: readonly T[], isUserPrompt: (item: T) => boolean): number {
  let start = 0;
  items.forEach((item, i) => {
    if (isUserPrompt(item)) start = i + 1;
  });
  return start;
}

/** The store key of the signature that came with a tool_use's functionCall part. */
export function thoughtSignatureKey(toolUseId: string): string {
  return `gemini.thoughtSignature:${toolUseId}`;
}

/** The signature of a thinking block the proxy made from Gemini output, with signatures by tool_use id. */
export function geminiThinkingSignature(state?: Record<string, string>): string {
  return encodeProxySignature(
    state && Object.keys(state).length > 0 ? { provider: GEMINI_PROVIDER, state } : { provider: GEMINI_PROVIDER },
  );
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

// Google's OpenAI-compatible endpoint (https://generativelanguage.googleapis.com/v1beta/openai): how a tier
// is recognised as it, and the placeholder thought signature put on calls Gemini did not make there.

import { DUMMY_THOUGHT_SIGNATURE, validatesThoughtSignatures } from '../gemini/gemini-thought-signature.ts';

export const GOOGLE_OPENAI_HOST = 'generativelanguage.googleapis.com';

/**
 * Whether a tier's base_url is Google's OpenAI-compatible endpoint: its host, or its documented path
 * `/v1beta/openai` (as served by a relay or a local mirror of it). Documented at
 * https://ai.google.dev/gemini-api/docs/openai (base_url `https://generativelanguage.googleapis.com/v1beta/openai/`).
 */
export function isGoogleOpenAIEndpoint(baseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  return url.hostname.toLowerCase() === GOOGLE_OPENAI_HOST || /\/v1beta\/openai\/?$/.test(url.pathname);
}

/**
 * Whether unsigned tool calls of the current turn need Google's placeholder signature on this tier: the
 * endpoint is Google's and the model refuses an unsigned call of the current turn (the one rule table,
 * SIGNATURE_RULES in gemini-thought-signature.ts: Gemini 2.5 and 3). The endpoint takes a call's signature
 * as `extra_content.google.thought_signature` (https://ai.google.dev/gemini-api/docs/openai#thinking), and
 * Google documents `skip_thought_signature_validator` for calls no Gemini model made, such as Claude's
 * (https://ai.google.dev/gemini-api/docs/thought-signatures#faqs).
 */
export function needsPlaceholderSignature(baseUrl: string, model: string): boolean {
  return isGoogleOpenAIEndpoint(baseUrl) && validatesThoughtSignatures(model);
}

export const PLACEHOLDER_SIGNATURE = DUMMY_THOUGHT_SIGNATURE;

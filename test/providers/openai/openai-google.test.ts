// Google's OpenAI-compatible endpoint: how a tier is recognised, and which calls get the placeholder
// thought signature (unsigned calls of the current turn, on models SIGNATURE_RULES says check them).

import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../proxy/wire/types.ts';
import type { TierConfig } from '../../../proxy/config.ts';
import { isGoogleOpenAIEndpoint, needsPlaceholderSignature } from '../../../proxy/providers/openai/openai-google.ts';
import { toOpenAIRequest } from '../../../proxy/providers/openai/openai-request.ts';
import { encodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';

const GOOGLE = 'https://generativelanguage.googleapis.com/v1beta/openai';
const tier = (baseUrl: string, model: string): TierConfig => ({ name: 'google', protocol: 'openai', baseUrl, apiKey: 'k', model });
const call = (id: string) => ({ type: 'tool_use' as const, id, name: 'Read', input: { file_path: '/a' } });
const result = (id: string) => ({ type: 'tool_result' as const, tool_use_id: id, content: 'x' });

function sentSignatures(messages: MessagesRequest['messages'], baseUrl = GOOGLE, model = 'gemini-2.5-flash') {
  const { body } = toOpenAIRequest(
    { model: 'claude-sonnet-4-6', max_tokens: 100, messages },
    { tier: tier(baseUrl, model), model, stream: true },
  );
  return body.messages.flatMap((m) =>
    m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.extra_content?.google?.thought_signature ?? null) : [],
  );
}

describe('isGoogleOpenAIEndpoint', () => {
  it("recognises Google's host and its documented /v1beta/openai path, nothing else", () => {
    expect(isGoogleOpenAIEndpoint(GOOGLE)).toBe(true);
    expect(isGoogleOpenAIEndpoint(GOOGLE + '/')).toBe(true);
    expect(isGoogleOpenAIEndpoint('http://127.0.0.1:4000/v1beta/openai')).toBe(true);
    expect(isGoogleOpenAIEndpoint('https://openrouter.ai/api/v1')).toBe(false);
    expect(isGoogleOpenAIEndpoint('https://api.openai.com/v1')).toBe(false);
    expect(isGoogleOpenAIEndpoint('not a url')).toBe(false);
  });

  it('needs the placeholder for Gemini 2.5 and 3 there, not for 2.0 nor elsewhere', () => {
    expect(needsPlaceholderSignature(GOOGLE, 'gemini-2.5-flash')).toBe(true);
    expect(needsPlaceholderSignature(GOOGLE, 'gemini-3-pro-preview')).toBe(true);
    expect(needsPlaceholderSignature(GOOGLE, 'gemini-2.0-flash')).toBe(false);
    expect(needsPlaceholderSignature('https://openrouter.ai/api/v1', 'google/gemini-3-pro-preview')).toBe(false);
  });
});

describe('the placeholder on unsigned calls of the current turn', () => {
  it("goes on the first call of each unsigned step after the user's last prompt, not on earlier turns", () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [call('toolu_a')] },
      { role: 'user', content: [result('toolu_a')] },
      { role: 'assistant', content: 'done' },
      { role: 'user', content: 'second' },
      { role: 'assistant', content: [call('toolu_b'), call('toolu_c')] },
      // Tool results with text (a system reminder) continue the turn: as in gemini-request.ts.
      { role: 'user', content: [result('toolu_b'), result('toolu_c'), { type: 'text', text: '<system-reminder>' }] },
      { role: 'assistant', content: [call('toolu_d')] },
      { role: 'user', content: [result('toolu_d')] },
    ];
    expect(sentSignatures(messages)).toEqual([null, 'skip_thought_signature_validator', null, 'skip_thought_signature_validator']);
  });

  it("keeps Gemini's own signature and adds no placeholder to that step", () => {
    const signed = encodeProxySignature({ provider: 'openai-gemini', state: { google: 'GEMINI_SIG' } });
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: '', signature: signed }, call('call_g')] },
      { role: 'user', content: [result('call_g')] },
    ];
    expect(sentSignatures(messages)).toEqual(['GEMINI_SIG']);
  });

  it('adds nothing for a model without the rule or a server that is not Google', () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [call('toolu_x')] },
      { role: 'user', content: [result('toolu_x')] },
    ];
    expect(sentSignatures(messages, GOOGLE, 'gemini-2.0-flash')).toEqual([null]);
    expect(sentSignatures(messages, 'https://api.deepseek.com', 'deepseek-v4-flash')).toEqual([null]);
  });
});

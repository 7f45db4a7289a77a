// fromGeminiResponse: a whole generateContent answer → Anthropic Message (same mapping as the stream).

import { describe, expect, it } from 'vitest';
import { decodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';
import { fromGeminiResponse } from '../../../proxy/providers/gemini/gemini-response.ts';
import { UpstreamResponseError } from '../../../proxy/providers/provider.ts';
import { thoughtSignatureKey } from '../../../proxy/providers/gemini/gemini-thought-signature.ts';
import { createConversationStore } from '../../../proxy/providers/provider.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { fixtureChunks } from './helpers.ts';

/** The fixture's chunks merged into the one answer generateContent would give. */
function wholeAnswer(name: string) {
  const chunks = fixtureChunks(fixture(name));
  const last = chunks[chunks.length - 1];
  return {
    candidates: [
      {
        content: { role: 'model', parts: chunks.flatMap((c) => c.candidates![0].content!.parts!) },
        finishReason: last.candidates![0].finishReason,
        index: 0,
      },
    ],
    usageMetadata: last.usageMetadata,
  };
}

describe('fromGeminiResponse', () => {
  it('maps the function-call answer: thinking, text, tool_use blocks with fixture ids and args, tool_use stop, usage', () => {
    const answer = wholeAnswer('gemini-stream-function-call.sse');
    const parts = answer.candidates[0].content.parts;
    const store = createConversationStore();
    const m = fromGeminiResponse(answer, { store, names: {} }, 'claude-sonnet-4-5');
    expect(m.model).toBe('claude-sonnet-4-5');
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content.filter((b) => b.type === 'tool_use')).toEqual(
      parts
        .filter((p) => p.functionCall)
        .map((p) => ({ type: 'tool_use', id: p.functionCall!.id, name: p.functionCall!.name, input: p.functionCall!.args })),
    );
    expect(m.content.find((b) => b.type === 'text')).toEqual({ type: 'text', text: parts.find((p) => p.text && !p.thought)!.text });
    const u = answer.usageMetadata!;
    expect(m.usage).toMatchObject({
      input_tokens: u.promptTokenCount! - (u.cachedContentTokenCount ?? 0),
      output_tokens: u.candidatesTokenCount! + u.thoughtsTokenCount!,
    });
    const signed = parts.find((p) => p.thoughtSignature)!;
    expect(store.get(thoughtSignatureKey(signed.functionCall!.id!))).toBe(signed.thoughtSignature);
    expect(
      m.content.some(
        (b) => b.type === 'thinking' && decodeProxySignature(b.signature)?.state?.[signed.functionCall!.id!] === signed.thoughtSignature,
      ),
    ).toBe(true);
  });

  it('accepts an answer wrapped in […] (several chunks) and concatenates the text', () => {
    const chunks = fixtureChunks(fixture('gemini-stream-text.sse'));
    const m = fromGeminiResponse(chunks, { store: createConversationStore(), names: {} }, 'm');
    expect(m.content).toEqual([{ type: 'text', text: chunks.map((c) => c.candidates![0].content!.parts![0].text).join('') }]);
    expect(m.stop_reason).toBe('end_turn');
  });

  it('throws an UpstreamResponseError for MALFORMED_FUNCTION_CALL and for an error body', () => {
    const ctx = { store: createConversationStore(), names: {} };
    expect(() => fromGeminiResponse({ candidates: [{ finishReason: 'MALFORMED_FUNCTION_CALL' }] }, ctx, 'm')).toThrow(
      UpstreamResponseError,
    );
    try {
      fromGeminiResponse({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota' } }, ctx, 'm');
      expect.unreachable();
    } catch (e) {
      expect((e as UpstreamResponseError).upstream.type).toBe('rate_limit_error');
    }
  });
});

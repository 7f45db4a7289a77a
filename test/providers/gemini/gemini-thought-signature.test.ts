// Which Gemini models refuse an unsigned function call of the current turn (SIGNATURE_RULES), and that
// the converter gives such a model Google's dummy on the calls another model made in the turn.

import { describe, expect, it } from 'vitest';
import {
  DUMMY_THOUGHT_SIGNATURE,
  SIGNATURE_RULES,
  validatesThoughtSignatures,
} from '../../../proxy/providers/gemini/gemini-thought-signature.ts';
import { toGeminiRequest } from '../../../proxy/providers/gemini/gemini-request.ts';
import { createConversationStore } from '../../../proxy/providers/provider.ts';
import type { TierConfig } from '../../../proxy/config.ts';
import type { MessageParam } from '../../../proxy/wire/types.ts';

describe('validatesThoughtSignatures', () => {
  it('is true for Gemini 2.5 (Pro, Flash, Flash-Lite), Gemini 3 and the -latest aliases', () => {
    for (const m of [
      'gemini-2.5-flash',
      'gemini-2.5-flash-lite',
      'gemini-2.5-pro',
      'gemini-2.5-flash-preview-09-2025',
      'models/gemini-2.5-flash',
      'Gemini-2.5-Flash',
      'gemini-3-flash-preview',
      'gemini-3.1-pro-preview',
      'gemini-flash-latest',
      'gemini-flash-lite-latest',
      'gemini-pro-latest',
    ])
      expect(validatesThoughtSignatures(m), m).toBe(true);
  });

  it('is false for Gemini 2.0 and 1.5, which do not sign', () => {
    for (const m of ['gemini-2.0-flash', 'gemini-2.0-flash-lite', 'gemini-1.5-pro']) expect(validatesThoughtSignatures(m), m).toBe(false);
  });

  it('names a source for every row', () => {
    for (const r of SIGNATURE_RULES) expect(r.source).toMatch(/^https:\/\//);
  });
});

describe('the dummy on Gemini 2.5', () => {
  // Claude Code's turn: the user's words, Claude's Write, its result, then the switch (Claude answered a 429).
  const messages: MessageParam[] = [
    { role: 'user', content: 'Write the notes.' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: '', signature: 'EqQBCkYIBxgCKkDgenuine-anthropic' },
        { type: 'tool_use', id: 'toolu_01W', name: 'Write', input: { file_path: '/r/a.md', content: 'x' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01W', content: 'File created' }] },
  ];
  const translate = (model: string) => {
    const tier: TierConfig = {
      name: 'gemini-flash',
      protocol: 'gemini',
      baseUrl: 'https://generativelanguage.googleapis.com',
      apiKey: 'k',
      model,
    };
    return toGeminiRequest({ model: 'claude-opus-4-5', max_tokens: 1000, messages }, { tier, model, store: createConversationStore() })
      .body;
  };
  const signatures = (model: string) =>
    translate(model).contents.flatMap((c) => c.parts.filter((p) => p.functionCall).map((p) => p.thoughtSignature));

  it("puts it on Claude's call of the current turn for gemini-2.5-flash (as shipped) and -flash-lite", () => {
    expect(signatures('gemini-2.5-flash')).toEqual([DUMMY_THOUGHT_SIGNATURE]);
    expect(signatures('gemini-2.5-flash-lite')).toEqual([DUMMY_THOUGHT_SIGNATURE]);
  });

  it('leaves gemini-2.0-flash without one', () => {
    expect(signatures('gemini-2.0-flash')).toEqual([undefined]);
  });
});

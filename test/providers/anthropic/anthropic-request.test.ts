// Switching back: what a fallback left in the conversation that Anthropic would reject.

import { describe, expect, it } from 'vitest';
import { prepareForAnthropic } from '../../../proxy/providers/anthropic/anthropic-request.ts';
import { encodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';
import type { MessagesRequest } from '../../../proxy/wire/types.ts';

const ours = encodeProxySignature({ provider: 'gemini', state: { toolu_1: 'sig' } });
const base = (messages: MessagesRequest['messages'], extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 32000,
  thinking: { type: 'enabled', budget_tokens: 31999 },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  messages,
  ...extra,
});
const toolTurn = (content: MessagesRequest['messages'][number]['content']) => [
  { role: 'user' as const, content: 'list files' },
  { role: 'assistant' as const, content },
  { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_1', content: 'a.txt' }] },
];

describe('prepareForAnthropic', () => {
  it('leaves a genuine Claude conversation alone (null: the original bytes go)', () => {
    const req = base(
      toolTurn([
        { type: 'thinking', thinking: '', signature: 'RealSig==' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} },
      ]),
    );
    expect(prepareForAnthropic(req)).toBeNull();
  });

  it('drops proxy-made thinking and then thinking itself, since the tool-loop turn has no genuine thinking', () => {
    const req = base(
      toolTurn([
        { type: 'thinking', thinking: 'gemini thought', signature: ours },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} },
      ]),
    );
    const out = prepareForAnthropic(req)!;
    expect(out.messages[1].content).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }]);
    expect(out.thinking).toBeUndefined();
    expect(out.context_management).toBeUndefined();
    expect(req.thinking).toBeDefined(); // input untouched
  });

  it('keeps thinking when the conversation moved on to a new user turn', () => {
    const messages = [
      ...toolTurn([{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }]),
      { role: 'assistant' as const, content: 'done' },
      { role: 'user' as const, content: 'thanks, next' },
    ];
    expect(prepareForAnthropic(base(messages))).toBeNull();
  });

  it('drops unsigned thinking blocks in older turns but keeps thinking on when the last loop is genuine', () => {
    const messages = [
      { role: 'user' as const, content: 'a' },
      {
        role: 'assistant' as const,
        content: [
          { type: 'thinking' as const, thinking: 'old', signature: '' },
          { type: 'text' as const, text: 'hi' },
        ],
      },
      ...toolTurn([
        { type: 'thinking', thinking: '', signature: 'RealSig==' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} },
      ]),
    ];
    const out = prepareForAnthropic(base(messages))!;
    expect(out.messages[1].content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 31999 });
  });
});

// Anthropic-compatible vendors: which tier is Anthropic, how a vendor's thinking blocks are marked on
// the way to Claude Code and restored for the same tier only, and what a request to DeepSeek must say.

import { describe, expect, it } from 'vitest';
import { prepareForVendor } from '../../../proxy/providers/anthropic/vendor.ts';
import {
  createVendorThinkingMarker,
  markVendorMessage,
  restoreVendorThinking,
  vendorThinkingOf,
} from '../../../proxy/providers/anthropic/vendor-thinking.ts';
import { prepareForAnthropic } from '../../../proxy/providers/anthropic/anthropic-request.ts';
import type { ContentBlockParam, Message, MessageParam, MessagesRequest, StreamEvent } from '../../../proxy/wire/types.ts';

const sse = (e: object) => ({ event: (e as { type: string }).type, data: JSON.stringify(e) });

describe('vendor thinking marks', () => {
  it('marks each thinking block of a stream with the tier and the vendor signature, also one that came without a signature', () => {
    const marker = createVendorThinkingMarker('deepseek');
    const out: StreamEvent[] = [
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'plan' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: '91cfbb94-554b-4136-8e21-fa02280d56ed' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: '' } as never },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_stop', index: 2 },
    ].flatMap((e) => marker.transform(sse(e)));
    const signatures = out.flatMap((e) =>
      e.type === 'content_block_delta' && e.delta.type === 'signature_delta' ? [[e.index, vendorThinkingOf(e.delta.signature)]] : [],
    );
    expect(signatures).toEqual([
      [0, { tier: 'deepseek', signature: '91cfbb94-554b-4136-8e21-fa02280d56ed' }],
      [1, { tier: 'deepseek' }],
    ]);
    // the signature-less block gets its mark before its stop; nothing else changes order or content
    expect(out.map((e) => `${e.type}:${(e as { index?: number }).index}`)).toEqual([
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1',
      'content_block_stop:1',
      'content_block_start:2',
      'content_block_stop:2',
    ]);
    expect(JSON.stringify(out)).not.toContain('"signature":"91cfbb94');
  });

  it('restores a block byte for byte for the same tier only; Anthropic never gets it', () => {
    const message = markVendorMessage(
      {
        id: 'm',
        type: 'message',
        role: 'assistant',
        model: 'deepseek-v4-flash',
        content: [
          { type: 'thinking', thinking: 'plan', signature: 'ds-sig==' },
          { type: 'text', text: 'ok' },
        ],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      } satisfies Message,
      'deepseek',
    );
    const echoed = message.content[0] as ContentBlockParam;
    expect(restoreVendorThinking(echoed, 'deepseek')).toEqual({ type: 'thinking', thinking: 'plan', signature: 'ds-sig==' });
    expect(restoreVendorThinking(echoed, 'kimi')).toBeNull();
    const req: MessagesRequest = {
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: message.content as ContentBlockParam[] },
        { role: 'user', content: 'more' },
      ],
    };
    expect(JSON.stringify(prepareForAnthropic(req))).not.toContain('thinking');
  });
});

describe('prepareForVendor (DeepSeek thinks by default)', () => {
  const claudeThinking: ContentBlockParam = { type: 'thinking', thinking: 'claude plans', signature: 'EqQBCkYIBRgCKkB-anthropic' };
  const call = (id: string): ContentBlockParam => ({ type: 'tool_use', id, name: 'Read', input: { file_path: '/a' } });
  const result = (id: string): MessageParam => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] });
  const base = { model: 'deepseek-v4-flash', max_tokens: 1000 };

  it('sends thinking {type: "disabled"} when the client asked for none (omitting it would not turn DeepSeek thinking off)', () => {
    const { request } = prepareForVendor({ ...base, messages: [{ role: 'user', content: 'hi' }] }, 'deepseek', 'deepseek');
    expect(request?.thinking).toEqual({ type: 'disabled' });
  });

  it('turns thinking off, and removes every thinking block, when an earlier tool-call turn has none of this tier', () => {
    const req: MessagesRequest = {
      ...base,
      thinking: { type: 'adaptive' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [claudeThinking, call('toolu_a')] },
        result('toolu_a'),
        { role: 'assistant', content: [call('toolu_b')] },
        result('toolu_b'),
      ],
    };
    const { request, warnings } = prepareForVendor(req, 'deepseek', 'deepseek');
    expect(request?.thinking).toEqual({ type: 'disabled' });
    expect(request?.context_management).toBeUndefined();
    expect(JSON.stringify(request?.messages)).not.toContain('"thinking"');
    expect(warnings.join('\n')).toMatch(/removed 1 thinking block.*\n.*thinking turned off/);
  });

  it('keeps thinking on when every tool-call turn carries its own restored block', () => {
    const own = markVendorMessage(
      {
        id: 'm',
        type: 'message',
        role: 'assistant',
        model: 'x',
        content: [{ type: 'thinking', thinking: 'ds plans', signature: 'ds-1' }, call('toolu_c') as never],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      'deepseek',
    );
    const req: MessagesRequest = {
      ...base,
      thinking: { type: 'adaptive' },
      messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: own.content as ContentBlockParam[] }, result('toolu_c')],
    };
    const { request } = prepareForVendor(req, 'deepseek', 'deepseek');
    expect(request?.thinking).toEqual({ type: 'adaptive' });
    expect((request?.messages[1].content as ContentBlockParam[])[0]).toEqual({ type: 'thinking', thinking: 'ds plans', signature: 'ds-1' });
  });

  it('turns a mid-conversation system message into <system-reminder> text of the user turn before it', () => {
    const req = {
      ...base,
      thinking: { type: 'disabled' as const },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [{ type: 'text', text: 'Environment: linux' }] },
      ],
    } as unknown as MessagesRequest;
    const { request } = prepareForVendor(req, 'deepseek', 'deepseek');
    expect(request?.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'text', text: '<system-reminder>\nEnvironment: linux\n</system-reminder>' },
        ],
      },
    ]);
  });

  it('leaves a request with nothing to change alone (the client bytes can go)', () => {
    expect(
      prepareForVendor({ ...base, thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'hi' }] }, 'deepseek', 'deepseek')
        .request,
    ).toBeNull();
    expect(prepareForVendor({ ...base, messages: [{ role: 'user', content: 'hi' }] }, 'kimi', 'anthropic').request).toBeNull();
  });
});

// fromOpenAIResponse (non-streaming) and the small mappings it shares with the stream.

import { describe, expect, it } from 'vitest';
import { decodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';
import { mapOpenAIFinishReason } from '../../../proxy/providers/openai/map-openai-finish-reason.ts';
import { fromOpenAIResponse } from '../../../proxy/providers/openai/openai-response.ts';
import { UpstreamResponseError } from '../../../proxy/providers/provider.ts';
import { toOpenAIToolName } from '../../../proxy/providers/openai/openai-tool-names.ts';
import { fromToolAlias, toolAliasMap } from '../../../proxy/providers/tool-name-alias.ts';

const openAIToolNameMap = (names: string[]) => toolAliasMap(names, toOpenAIToolName);
import { fromOpenAIUsage } from '../../../proxy/providers/openai/openai-usage.ts';

const ctx = { model: 'deepseek-v4-flash', toolNames: {} };

describe('fromOpenAIResponse', () => {
  it('builds thinking (proxy signature), text and tool_use blocks with tool_use stop and mapped usage', () => {
    const json = {
      id: 'chatcmpl-1',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            reasoning_content: 'need the file',
            content: 'Reading it.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"file_path":"/a"}' } }],
          },
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 20, prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 },
    };
    const m = fromOpenAIResponse(json, ctx, 'claude-sonnet-4-5');
    expect(m).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
    expect(m.id).toMatch(/^msg_/);
    expect(m.content).toEqual([
      { type: 'thinking', thinking: 'need the file', signature: expect.any(String) },
      { type: 'text', text: 'Reading it.' },
      { type: 'tool_use', id: 'call_1', name: 'Read', input: { file_path: '/a' } },
    ]);
    expect(decodeProxySignature((m.content[0] as { signature: string }).signature)?.provider).toBe('openai');
    expect(m.usage).toEqual({ input_tokens: 40, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 });
  });

  it('maps tool names back and keeps unparseable arguments instead of losing them', () => {
    const long = 'mcp__server__' + 'x'.repeat(80);
    const alias = toOpenAIToolName(long);
    const json = {
      choices: [
        {
          message: { content: null, tool_calls: [{ id: 'c', function: { name: alias, arguments: '{"broken' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const m = fromOpenAIResponse(json, { model: 'x', toolNames: openAIToolNameMap([long]) }, 'm');
    expect(m.content).toEqual([{ type: 'tool_use', id: 'c', name: long, input: { _raw: '{"broken' } }]);
  });

  it('throws a classified error for a 200 body with an error or no choices', () => {
    expect(() => fromOpenAIResponse({ error: { code: 429, message: 'busy' } }, ctx, 'm')).toThrow(UpstreamResponseError);
    try {
      fromOpenAIResponse({ error: { code: 429, message: 'busy' } }, ctx, 'm');
    } catch (e) {
      expect((e as UpstreamResponseError).upstream.type).toBe('rate_limit_error');
    }
    expect(() => fromOpenAIResponse({ choices: [] }, ctx, 'm')).toThrow(/no choices/);
  });

  it('reports a refusal as stop_reason refusal with its text', () => {
    const m = fromOpenAIResponse({ choices: [{ message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }] }, ctx, 'm');
    expect(m.stop_reason).toBe('refusal');
    expect(m.content).toEqual([{ type: 'text', text: 'No.' }]);
  });
});

describe('mapOpenAIFinishReason', () => {
  it('maps each OpenAI reason, and any streamed tool call to tool_use (but length stays max_tokens)', () => {
    expect(mapOpenAIFinishReason('stop', false)).toBe('end_turn');
    expect(mapOpenAIFinishReason('stop', true)).toBe('tool_use');
    expect(mapOpenAIFinishReason('tool_calls', true)).toBe('tool_use');
    expect(mapOpenAIFinishReason('function_call', true)).toBe('tool_use');
    expect(mapOpenAIFinishReason('length', false)).toBe('max_tokens');
    expect(mapOpenAIFinishReason('length', true)).toBe('max_tokens');
    expect(mapOpenAIFinishReason('content_filter', false)).toBe('refusal');
    expect(mapOpenAIFinishReason('something_new', false)).toBe('end_turn');
    expect(mapOpenAIFinishReason(null, true)).toBe('tool_use');
  });
});

describe('fromOpenAIUsage', () => {
  it('splits OpenAI cached tokens out of input and counts OpenRouter cache writes', () => {
    expect(
      fromOpenAIUsage({
        prompt_tokens: 1000,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 100 },
      }),
    ).toEqual({
      input_tokens: 300,
      output_tokens: 5,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 600,
    });
    expect(fromOpenAIUsage(null)).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });
});

describe('tool name aliases', () => {
  it('leaves valid names alone and makes invalid ones valid, stable and reversible', () => {
    expect(toOpenAIToolName('Read')).toBe('Read');
    expect(toOpenAIToolName('mcp__git__status')).toBe('mcp__git__status');
    for (const name of ['mcp__srv__' + 'a'.repeat(70), 'has space', 'dotted.name', 'x'.repeat(65), '']) {
      const alias = toOpenAIToolName(name);
      expect(alias).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(toOpenAIToolName(name)).toBe(alias);
      expect(fromToolAlias(alias, openAIToolNameMap([name]))).toBe(name);
    }
    expect(fromToolAlias('Unknown', {})).toBe('Unknown');
    expect(fromToolAlias('constructor', {})).toBe('constructor');
  });
});

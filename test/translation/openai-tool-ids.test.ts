// A non-streaming OpenAI-compatible answer gets the same tool_use id rule as a stream: Anthropic's
// pattern, and unique within the conversation (the request's history ids are known to the context).

import { describe, expect, it } from 'vitest';
import { fromOpenAIResponse } from '../../proxy/providers/openai/openai-response.ts';
import { toOpenAIRequest } from '../../proxy/providers/openai/openai-request.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import type { TierConfig } from '../../proxy/config.ts';

const tier = { name: 'kimi', protocol: 'openai', baseUrl: 'http://127.0.0.1:1', model: 'kimi-k2' } as TierConfig;
const history: MessagesRequest = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [
    { role: 'user', content: 'list and read' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'a.txt' }] },
  ],
};
const answer = (ids: string[]) => ({
  choices: [
    {
      index: 0,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: null,
        tool_calls: ids.map((id, i) => ({ id, type: 'function', function: { name: 'Read', arguments: `{"file_path":"/${i}"}` } })),
      },
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 5 },
});

describe('tool_use ids of a non-streaming OpenAI-compatible answer', () => {
  it("keeps a valid new id, replaces Kimi's functions.Read:0 and an id the conversation already has", () => {
    const { context } = toOpenAIRequest(history, { tier, model: 'kimi-k2', stream: false });
    expect(context.historyToolUseIds).toEqual(['call_1']);
    const message = fromOpenAIResponse(answer(['call_2', 'functions.Read:0', 'call_1']), context, 'claude-sonnet-4-6');
    const ids = message.content.map((b) => (b.type === 'tool_use' ? b.id : ''));
    expect(ids[0]).toBe('call_2');
    for (const id of ids.slice(1)) expect(id).toMatch(/^toolu_[A-Za-z0-9_-]+$/);
    expect(new Set([...ids, 'call_1']).size).toBe(4);
    expect(message.content.map((b) => (b.type === 'tool_use' ? b.input : null))).toEqual([
      { file_path: '/0' },
      { file_path: '/1' },
      { file_path: '/2' },
    ]);
  });
});

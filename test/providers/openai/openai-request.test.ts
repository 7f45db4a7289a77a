// Anthropic → OpenAI request translation, on the captured Claude Code request and small cases.

import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../proxy/wire/types.ts';
import type { TierConfig } from '../../../proxy/config.ts';
import { openaiAdapter } from '../../../proxy/providers/openai/openai-adapter.ts';
import { toOpenAIRequest } from '../../../proxy/providers/openai/openai-request.ts';
import { createOpenAIStreamTransform } from '../../../proxy/providers/openai/openai-stream.ts';
import { createConversationStore } from '../../../proxy/providers/provider.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { accumulate, run } from '../../helpers/events.ts';
import { clientRequest } from '../../helpers/requests.ts';

const tier: TierConfig = {
  name: 'deepseek',
  protocol: 'openai',
  baseUrl: 'https://api.deepseek.com',
  apiKey: 'sk-test',
  model: 'deepseek-v4-flash',
};
const captured = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as { headers: Record<string, string>; body: MessagesRequest }[];
const OPENAI_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Every object key anywhere in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, into));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) (into.add(k), keysOf(v, into));
  return into;
}

function base(messages: MessagesRequest['messages'], extra: Partial<MessagesRequest> = {}): MessagesRequest {
  return { model: 'claude-sonnet-4-5', max_tokens: 1000, messages, ...extra };
}

describe('toOpenAIRequest on the captured Claude Code tool loop', () => {
  for (const [i, { body: req }] of captured.entries()) {
    const { body, warnings } = toOpenAIRequest(req, { tier, model: 'deepseek-v4-flash', stream: true });
    const keys = keysOf(body);

    it(`request ${i}: carries no Anthropic-only field anywhere`, () => {
      for (const k of [
        '$schema',
        'cache_control',
        'context_management',
        'metadata',
        'defer_loading',
        'input_schema',
        'budget_tokens',
        'display',
        'tool_use_id',
        'is_error',
        'stop_sequences',
        'system',
      ]) {
        expect(keys.has(k), k).toBe(false);
      }
      const text = JSON.stringify(body);
      expect(text).not.toContain(req.metadata!.user_id!);
      expect(text).not.toContain('ephemeral');
      expect(text).not.toContain('"tool_result"');
      expect(text).not.toContain('"tool_use"');
    });

    it(`request ${i}: sends every tool but the deferred placeholder, under valid names, with a warning`, () => {
      const sent = req.tools!.filter((t) => !t.defer_loading).map((t) => t.name);
      expect(body.tools!.map((t) => t.function.name)).toEqual(sent);
      for (const t of body.tools!) expect(t.function.name).toMatch(OPENAI_NAME);
      expect(warnings.some((w) => w.includes('DeferredToolPlaceholder'))).toBe(true);
      const write = req.tools!.find((t) => t.name === 'Write')!;
      const { $schema: _drop, ...rest } = write.input_schema;
      expect(body.tools!.find((t) => t.function.name === 'Write')!.function.parameters).toEqual(rest);
    });

    it(`request ${i}: clamps max_tokens, streams with usage, system first, thinking → DeepSeek thinking`, () => {
      expect(req.max_tokens).toBe(32000);
      const clamped = toOpenAIRequest(req, { tier: { ...tier, maxOutputTokens: 8192 }, model: 'deepseek-v4-flash', stream: true }).body;
      expect(clamped.max_tokens).toBe(8192);
      expect(
        toOpenAIRequest(req, { tier: { ...tier, model: 'deepseek-chat' }, model: 'deepseek-chat', stream: true }).body.max_tokens,
      ).toBe(8192);
      expect(body.max_tokens).toBe(32000); // V4 allows 384K
      expect(body.stream).toBe(true);
      expect(body.stream_options).toEqual({ include_usage: true });
      expect(body.messages[0].role).toBe('system');
      expect(body.messages[0].content).toBe(req.system && typeof req.system !== 'string' ? req.system.map((s) => s.text).join('\n\n') : '');
      expect(body.thinking).toEqual({ type: 'enabled' });
      expect(body.reasoning_effort).toBe('high');
    });

    it(`request ${i}: answers every tool call with its tool message before anything else`, () => {
      const ms = body.messages;
      ms.forEach((m, j) => {
        if (m.role !== 'assistant' || !m.tool_calls) return;
        const next = ms.slice(j + 1, j + 1 + m.tool_calls.length);
        expect(next.map((n) => (n.role === 'tool' ? n.tool_call_id : n.role))).toEqual(m.tool_calls.map((c) => c.id));
      });
      const uses = req.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((b) => b.type === 'tool_use')));
      expect(ms.filter((m) => m.role === 'assistant').flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : [])).length).toBe(
        uses.length,
      );
    });
  }

  it('request 1: the Write call keeps its id and input, with reasoning_content "" for DeepSeek', () => {
    const req = captured[1].body;
    const use = req.messages[1].content[1] as { id: string; name: string; input: unknown };
    const { body } = toOpenAIRequest(req, { tier, model: 'deepseek-v4-flash', stream: true });
    const assistant = body.messages.find((m) => m.role === 'assistant')!;
    expect(assistant).toEqual({
      role: 'assistant',
      content: (req.messages[1].content[0] as { text: string }).text,
      tool_calls: [{ id: use.id, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input) } }],
      reasoning_content: '',
    });
    const tool = body.messages.find((m) => m.role === 'tool')!;
    expect(tool).toEqual({ role: 'tool', tool_call_id: use.id, content: (req.messages[2].content[0] as { content: string }).content });
  });

  it('does not change the request it was given', () => {
    const req = captured[1].body;
    const before = JSON.stringify(req);
    toOpenAIRequest(req, { tier, model: 'deepseek-v4-flash', stream: true });
    expect(JSON.stringify(req)).toBe(before);
  });
});

describe('toOpenAIRequest content rules', () => {
  const png = { type: 'base64' as const, media_type: 'image/png', data: 'iVBORw0KGgo=' };

  it('moves an image from a tool_result to a following user message; tool text stays; is_error prefixed', () => {
    const req = base([
      { role: 'user', content: 'look' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'Screenshot', input: {} },
          { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'false' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'after the results' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'exit 1', is_error: true },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: [
              { type: 'text', text: 'screen:' },
              { type: 'image', source: png },
            ],
          },
        ],
      },
    ]);
    const { body } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true });
    const tail = body.messages.slice(-3);
    expect(tail[0]).toMatchObject({ role: 'tool', tool_call_id: 'toolu_1', content: expect.stringContaining('screen:') });
    expect(tail[1]).toEqual({ role: 'tool', tool_call_id: 'toolu_2', content: 'Error: exit 1' });
    expect(tail[2].role).toBe('user');
    const parts = tail[2].content as { type: string; text?: string; image_url?: { url: string } }[];
    expect(parts.find((p) => p.type === 'image_url')!.image_url!.url).toBe(`data:${png.media_type};base64,${png.data}`);
    expect(parts.at(-1)).toEqual({ type: 'text', text: 'after the results' });
  });

  it('maps user images (base64 → data URL, url) to image_url parts', () => {
    const req = base([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'two' },
          { type: 'image', source: png },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        ],
      },
    ]);
    const { body } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: false });
    expect(body.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'two' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ],
    });
    expect(body.stream).toBe(false);
    expect(body.stream_options).toBeUndefined();
  });

  it('inlines plain-text documents and replaces PDFs by a placeholder with a warning', () => {
    const req = base([
      {
        role: 'user',
        content: [
          { type: 'document', title: 'notes', source: { type: 'text', media_type: 'text/plain', data: 'line one' } },
          { type: 'document', title: 'spec', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        ],
      },
    ]);
    const { body, warnings } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true });
    const content = body.messages[0].content as string;
    expect(content).toContain('line one');
    expect(content).toContain('"spec"');
    expect(content).not.toContain('JVBERi0=');
    expect(warnings.some((w) => w.includes('spec') && w.includes('application/pdf'))).toBe(true);
  });

  it('merges consecutive same-role turns and sends tool results before the user text of that turn', () => {
    const req = base([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: '/x' } }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'reminder' },
          { type: 'tool_result', tool_use_id: 't1', content: 'x' },
        ],
      },
    ]);
    const { body } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true });
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(body.messages[0].content).toBe('a\n\nb');
    expect(body.messages[1]).toMatchObject({ content: null });
    expect(body.messages[3].content).toBe('reminder');
  });

  it('answers a tool call that has no tool_result with a placeholder tool message and a warning', () => {
    const req = base([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
      { role: 'user', content: 'never mind' },
    ]);
    const { body, warnings } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true });
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(warnings.some((w) => w.includes('t1'))).toBe(true);
  });

  it('maps thinking history: DeepSeek gets reasoning_content, plain OpenAI gets none, redacted is dropped', () => {
    const req = base(
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'let me see', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'tool_use', id: 't1', name: 'Read', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      ],
      { thinking: { type: 'enabled', budget_tokens: 2000 } },
    );
    const ds = toOpenAIRequest(req, { tier, model: 'deepseek-v4-pro', stream: true }).body;
    expect(ds.messages[1]).toMatchObject({ reasoning_content: 'let me see' });
    expect(ds.reasoning_effort).toBe('low');
    expect(JSON.stringify(ds)).not.toContain('opaque');
    const oa = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true }).body;
    expect(keysOf(oa).has('reasoning_content')).toBe(false);
    expect(oa.reasoning_effort).toBeUndefined();
    expect(oa.thinking).toBeUndefined();
    const noThinking = toOpenAIRequest({ ...req, thinking: undefined }, { tier, model: 'deepseek-v4-flash', stream: true }).body;
    expect(noThinking.thinking).toEqual({ type: 'disabled' });
  });

  it('uses max_completion_tokens and reasoning_effort for OpenAI reasoning models, dropping sampling', () => {
    const req = base([{ role: 'user', content: 'q' }], {
      max_tokens: 500000,
      temperature: 0.2,
      stop_sequences: ['END'],
      thinking: { type: 'enabled', budget_tokens: 31999 },
    });
    const { body, warnings } = toOpenAIRequest(req, { tier, model: 'o3', stream: true });
    expect(body.max_completion_tokens).toBe(100000);
    expect(body.max_tokens).toBeUndefined();
    expect(body.temperature).toBeUndefined();
    expect(body.stop).toBeUndefined();
    expect(body.reasoning_effort).toBe('high');
    expect(warnings.some((w) => w.includes('temperature'))).toBe(true);
    expect(toOpenAIRequest(req, { tier, model: 'gpt-5-mini', stream: true }).body.max_completion_tokens).toBe(128000);
  });

  it('passes temperature, top_p and at most 4 stop sequences to plain models', () => {
    const req = base([{ role: 'user', content: 'q' }], { temperature: 0.3, top_p: 0.9, stop_sequences: ['a', 'b', 'c', 'd', 'e'] });
    const { body, warnings } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true });
    expect(body).toMatchObject({ temperature: 0.3, top_p: 0.9, stop: ['a', 'b', 'c', 'd'] });
    expect(warnings.some((w) => w.includes('stop_sequences'))).toBe(true);
  });

  it('maps tool_choice auto/any/tool/none and disable_parallel_tool_use', () => {
    const tools = [{ name: 'Read', input_schema: { type: 'object' } }];
    const msg = [{ role: 'user' as const, content: 'q' }];
    const choice = (tool_choice: MessagesRequest['tool_choice']) =>
      toOpenAIRequest(base(msg, { tools, tool_choice }), { tier, model: 'gpt-4.1', stream: true }).body;
    expect(choice({ type: 'auto' }).tool_choice).toBe('auto');
    expect(choice({ type: 'any' }).tool_choice).toBe('required');
    expect(choice({ type: 'none' }).tool_choice).toBe('none');
    expect(choice({ type: 'tool', name: 'Read' }).tool_choice).toEqual({ type: 'function', function: { name: 'Read' } });
    expect(choice({ type: 'auto', disable_parallel_tool_use: true }).parallel_tool_calls).toBe(false);
    expect(choice({ type: 'auto' }).parallel_tool_calls).toBeUndefined();
  });
});

describe('long MCP tool names', () => {
  const long = 'mcp__claude_ai_Some_Connector_With_A_Long_Name__search_documents_by_query_and_filters';

  it('round-trips request name → short alias → streamed answer → original name', () => {
    expect(long.length).toBeGreaterThan(64);
    const req = base(
      [
        { role: 'user', content: 'find' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't0', name: long, input: { q: 'a' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't0', content: 'none' }] },
      ],
      {
        tools: [{ name: long, input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
        tool_choice: { type: 'tool', name: long },
      },
    );
    const { body, context } = toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true });
    const alias = body.tools![0].function.name;
    expect(alias).toMatch(OPENAI_NAME);
    expect(alias).not.toBe(long);
    // History and tool_choice use the same alias as the declaration.
    expect(body.messages.find((m) => m.role === 'assistant')).toMatchObject({ tool_calls: [{ function: { name: alias } }] });
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: alias } });
    // Deterministic: a second translation (e.g. after a restart) gives the same alias.
    expect(toOpenAIRequest(req, { tier, model: 'gpt-4.1', stream: true }).body.tools![0].function.name).toBe(alias);

    const events = [
      {
        data: JSON.stringify({
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: alias, arguments: '{"q":"b"}' } }] },
              finish_reason: null,
            },
          ],
        }),
      },
      { data: JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }) },
      { data: '[DONE]' },
    ];
    const { message } = accumulate(run(createOpenAIStreamTransform(context, 'claude-sonnet-4-5'), events));
    expect(message!.content).toEqual([{ type: 'tool_use', id: 'call_9', name: long, input: { q: 'b' } }]);
  });

  it('gives different long names sharing a prefix different aliases', () => {
    const a = long + '_alpha';
    const b = long + '_beta';
    const { body } = toOpenAIRequest(
      base([{ role: 'user', content: 'q' }], { tools: [a, b].map((name) => ({ name, input_schema: { type: 'object' } })) }),
      { tier, model: 'gpt-4.1', stream: true },
    );
    const [x, y] = body.tools!.map((t) => t.function.name);
    expect(x).not.toBe(y);
    expect(x).toMatch(OPENAI_NAME);
    expect(y).toMatch(OPENAI_NAME);
  });
});

describe('openaiAdapter.prepare', () => {
  it('posts to {baseUrl}/chat/completions with a Bearer key and tier headers, no Claude Code credentials', () => {
    const req = captured[0].body;
    const { request } = openaiAdapter.prepare(clientRequest(req), {
      tier: { ...tier, baseUrl: 'https://openrouter.ai/api/v1', headers: { 'http-referer': 'https://example.com' } },
      model: 'deepseek/deepseek-v4-flash',
      stream: true,
      store: createConversationStore(),
    });
    expect(request.url).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.headers['http-referer']).toBe('https://example.com');
    const names = Object.keys(request.headers).map((h) => h.toLowerCase());
    for (const h of ['x-api-key', 'anthropic-version', 'anthropic-beta']) expect(names).not.toContain(h);
    expect(String(request.body)).not.toContain(captured[0].headers['x-api-key']);
    expect(JSON.parse(String(request.body))).toMatchObject({ model: 'deepseek/deepseek-v4-flash', stream: true });
  });
});

// toGeminiRequest: Claude Code's real requests, tool_result pairing, thought signatures, content kinds.

import { describe, expect, it } from 'vitest';
import { encodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';
import type { ContentBlockParam, MessageParam, MessagesRequest, Tool } from '../../../proxy/wire/types.ts';
import type { TierConfig } from '../../../proxy/config.ts';
import { toGeminiRequest } from '../../../proxy/providers/gemini/gemini-request.ts';
import { createGeminiStreamTransform } from '../../../proxy/providers/gemini/gemini-stream.ts';
import { DUMMY_THOUGHT_SIGNATURE } from '../../../proxy/providers/gemini/gemini-thought-signature.ts';
import type { GeminiContent, GeminiPart } from '../../../proxy/providers/gemini/gemini-types.ts';
import { createConversationStore, type ConversationStore } from '../../../proxy/providers/provider.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { run, sdkFinalMessage, sseEvents } from '../../helpers/events.ts';
import { fixtureChunks } from './helpers.ts';

const captured = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as { body: MessagesRequest }[];
const tier: TierConfig = {
  name: 'gemini-flash',
  protocol: 'gemini',
  baseUrl: 'https://generativelanguage.googleapis.com',
  apiKey: 'k',
  model: 'gemini-2.5-flash',
};

function translate(
  req: MessagesRequest,
  store: ConversationStore = createConversationStore(),
  t: TierConfig = tier,
  model = 'gemini-2.5-flash',
) {
  return toGeminiRequest(req, { tier: t, model, store });
}

function req(messages: MessageParam[], extra: Partial<MessagesRequest> = {}): MessagesRequest {
  return { model: 'claude-sonnet-4-5', max_tokens: 1000, messages, ...extra };
}

const calls = (c: GeminiContent) => c.parts.filter((p) => p.functionCall);
const responses = (c: GeminiContent) => c.parts.filter((p) => p.functionResponse);

function keysDeep(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysDeep(v, out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysDeep(v, out);
    }
  return out;
}

describe('toGeminiRequest on the captured Claude Code 2.1.332 requests', () => {
  for (const [i, { body }] of captured.entries()) {
    it(`request ${i + 1}: carries nothing Anthropic-only, no $schema, and valid function names`, () => {
      const { body: out, warnings } = translate(body);
      const keys = keysDeep(out);
      for (const k of [
        '$schema',
        'cache_control',
        'context_management',
        'metadata',
        'defer_loading',
        'anthropic-beta',
        'anthropic-version',
        'thinking',
        'input_schema',
      ])
        expect(keys.has(k), k).toBe(false);
      expect(JSON.stringify(out)).not.toContain('user_id');
      const declared = out.tools![0].functionDeclarations;
      const deferred = body.tools!.filter((t) => t.defer_loading).map((t) => t.name);
      expect(declared.map((d) => d.name)).toEqual(body.tools!.filter((t) => !t.defer_loading).map((t) => t.name));
      for (const d of declared) expect(d.name).toMatch(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/);
      for (const name of deferred) expect(warnings.join('\n')).toContain(name);
      // The system prompt is its text blocks joined; user text blocks stay in order.
      expect(out.systemInstruction!.parts[0].text).toBe((body.system as { text: string }[]).map((b) => b.text).join('\n\n'));
      const firstUserTexts = (body.messages[0].content as { text: string }[]).map((b) => b.text);
      expect(out.contents[0]).toEqual({ role: 'user', parts: firstUserTexts.map((text) => ({ text })) });
    });

    it(`request ${i + 1}: clamps max_tokens and the thinking budget to the model's range`, () => {
      const g = translate(body).body.generationConfig!;
      expect(body.max_tokens).toBe(32000);
      expect(g.maxOutputTokens).toBe(32000); // gemini-2.5-flash allows 65,536
      expect(g.thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true }); // 31999 > flash's 24,576
      const small = translate(body, undefined, { ...tier, maxOutputTokens: 8192 }).body.generationConfig!;
      expect(small.maxOutputTokens).toBe(8192);
      // Thoughts count against maxOutputTokens: the budget leaves room for the answer.
      expect(small.thinkingConfig!.thinkingBudget).toBe(8192 - 1024);
    });
  }

  it('request 2: answers the echoed Write call with one functionResponse of its output; on Gemini 3 the call gets the dummy signature', () => {
    const { body } = captured[1];
    const out = translate(body, createConversationStore(), { ...tier, model: 'gemini-3-flash-preview' }, 'gemini-3-flash-preview').body;
    const model = out.contents.find((c) => c.role === 'model')!;
    const modelIndex = out.contents.indexOf(model);
    const assistant = body.messages.find((m) => m.role === 'assistant')!.content as ContentBlockParam[];
    const toolUse = assistant.find((b) => b.type === 'tool_use')!;
    const result = (body.messages[body.messages.length - 1].content as ContentBlockParam[]).find((b) => b.type === 'tool_result')!;

    expect(calls(model)).toEqual([
      { functionCall: { name: toolUse.name, args: toolUse.input }, thoughtSignature: DUMMY_THOUGHT_SIGNATURE },
    ]);
    const answer = out.contents[modelIndex + 1];
    expect(answer.role).toBe('user');
    expect(responses(answer)).toHaveLength(calls(model).length);
    expect(responses(answer)[0]).toEqual({ functionResponse: { name: toolUse.name, response: { output: result.content } } });
  });

  it('every functionResponse turn has as many responses as the model turn before it has calls', () => {
    for (const { body } of captured) {
      const contents = translate(body).body.contents;
      contents.forEach((c, i) => {
        if (c.role === 'model' && calls(c).length > 0) expect(responses(contents[i + 1])).toHaveLength(calls(c).length);
      });
    }
  });

  it('does not change the request it was given', () => {
    const body = structuredClone(captured[1].body);
    translate(body);
    expect(body).toEqual(captured[1].body);
  });

  it('sends sanitised `parameters` instead when the tier says schema: parameters', () => {
    const out = translate(captured[0].body, undefined, { ...tier, schema: 'parameters' }).body;
    const decls = out.tools![0].functionDeclarations;
    expect(decls.every((d) => d.parametersJsonSchema === undefined)).toBe(true);
    expect(decls.find((d) => d.name === 'Read')!.parameters!.properties!.limit).toMatchObject({ type: 'INTEGER', minimum: 1 });
  });
});

describe('thoughtSignature round trip', () => {
  const text = fixture('gemini-stream-function-call.sse');
  const parts = fixtureChunks(text).flatMap((c) => c.candidates![0].content!.parts!);
  const fcParts = parts.filter((p) => p.functionCall);

  /** Turn 1 streamed from the fixture; turn 2 is what Claude Code sends back (the whole assistant message echoed). */
  async function secondTurn(store: ConversationStore, keepThinking = true): Promise<MessagesRequest> {
    const message = await sdkFinalMessage(run(createGeminiStreamTransform({ store, names: {} }, 'claude-sonnet-4-5'), sseEvents(text)));
    const content = message.content
      .filter((b) => keepThinking || b.type !== 'thinking')
      .map((b) =>
        b.type === 'tool_use' ? { type: 'tool_use' as const, id: b.id, name: b.name, input: b.input } : b,
      ) as ContentBlockParam[];
    const toolUses = message.content.filter((b) => b.type === 'tool_use');
    return req([
      { role: 'user', content: 'What is in the project?' },
      { role: 'assistant', content },
      { role: 'user', content: toolUses.map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: `result of ${b.name}` })) },
    ]);
  }

  function expectRestored(contents: GeminiContent[]): void {
    const model = contents.find((c) => c.role === 'model')!;
    // Same part, same order, and only where Gemini put one (the first of parallel calls).
    expect(calls(model).map((p) => p.thoughtSignature)).toEqual(fcParts.map((p) => p.thoughtSignature));
    expect(calls(model).map((p) => p.functionCall!.id)).toEqual(fcParts.map((p) => p.functionCall!.id));
    expect(responses(contents[contents.indexOf(model) + 1]).map((p) => p.functionResponse!.id)).toEqual(
      fcParts.map((p) => p.functionCall!.id),
    );
    // Gemini's thought summary text is not sent back as a part.
    expect(model.parts.some((p) => p.thought)).toBe(false);
  }

  it('restores it from the store of the same proxy run', async () => {
    const store = createConversationStore();
    expectRestored(translate(await secondTurn(store, false), store).body.contents);
  });

  it('restores it after a restart (fresh store) from the echoed proxy thinking block', async () => {
    const body = await secondTurn(createConversationStore());
    expectRestored(translate(body, createConversationStore()).body.contents);
  });

  it('gives a model turn made by Anthropic the dummy on its first call only (Gemini 3)', () => {
    const out = translate(
      req([
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: '', signature: 'EqQBCkYIBxgCKkDgenuine-anthropic-signature' },
            { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: '/a' } },
            { type: 'tool_use', id: 'toolu_01B', name: 'Read', input: { file_path: '/b' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'a' },
            { type: 'tool_result', tool_use_id: 'toolu_01B', content: 'b' },
          ],
        },
      ]),
      createConversationStore(),
      { ...tier, model: 'gemini-3-flash-preview' },
      'gemini-3-flash-preview',
    ).body;
    const model = out.contents[1];
    expect(calls(model).map((p) => p.thoughtSignature)).toEqual([DUMMY_THOUGHT_SIGNATURE, undefined]);
    expect(calls(model).map((p) => p.functionCall!.id)).toEqual([undefined, undefined]);
  });

  it('drops genuine Anthropic thinking and redacted_thinking blocks, with a warning', () => {
    const { body, warnings } = translate(
      req([
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'secret reasoning', signature: 'EqQBCkYIBxgCKkDgenuine' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Hello' },
          ],
        },
        { role: 'user', content: 'again' },
      ]),
    );
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ text: 'Hello' }] });
    expect(JSON.stringify(body)).not.toContain('secret reasoning');
    expect(warnings.some((w) => w.includes('2 thinking'))).toBe(true);
  });

  it('a signature in an echoed thinking block wins over nothing in the store, also for a proxy block of another provider', () => {
    const out = translate(
      req([
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: '', signature: encodeProxySignature({ provider: 'openai', state: { fc_1: 'not-for-gemini' } }) },
            { type: 'tool_use', id: 'fc_1', name: 'Read', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'fc_1', content: 'x' }] },
      ]),
      createConversationStore(),
      { ...tier, model: 'gemini-3-flash-preview' },
      'gemini-3-flash-preview',
    ).body;
    expect(calls(out.contents[1])[0].thoughtSignature).toBe(DUMMY_THOUGHT_SIGNATURE);
  });
});

describe('tool_result → functionResponse', () => {
  const assistant = (ids: string[]): MessageParam => ({
    role: 'assistant',
    content: ids.map((id) => ({ type: 'tool_use' as const, id, name: id.startsWith('fc_r') ? 'Read' : 'Bash', input: { id } })),
  });

  it('is_error becomes response.error; names come from the matching tool_use; order follows the calls; extra text after', () => {
    const out = translate(
      req([
        { role: 'user', content: 'go' },
        assistant(['fc_r1', 'fc_b2']),
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'fc_b2', content: [{ type: 'text', text: 'command not found' }], is_error: true },
            { type: 'tool_result', tool_use_id: 'fc_r1', content: 'file text' },
            { type: 'text', text: 'Please continue.' },
          ],
        },
      ]),
    ).body;
    expect(out.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { id: 'fc_r1', name: 'Read', response: { output: 'file text' } } },
        { functionResponse: { id: 'fc_b2', name: 'Bash', response: { error: 'command not found' } } },
        { text: 'Please continue.' },
      ],
    });
  });

  it('puts an image from a tool_result after the function responses, keeping one response per call', () => {
    const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: 'iVBORw0KGgo=' } };
    const out = translate(
      req([
        { role: 'user', content: 'look' },
        assistant(['fc_r1', 'fc_b2']),
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'fc_r1', content: [{ type: 'text', text: 'screenshot.png' }, image] },
            { type: 'tool_result', tool_use_id: 'fc_b2', content: 'ok' },
          ],
        },
      ]),
    ).body;
    const turn = out.contents[2];
    expect(responses(turn)).toHaveLength(2);
    const lastResponse = turn.parts.findLastIndex((p) => p.functionResponse);
    const imageAt = turn.parts.findIndex((p) => p.inlineData);
    expect(imageAt).toBeGreaterThan(lastResponse);
    expect(turn.parts[imageAt]).toEqual({ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } });
    const output = (turn.parts[0].functionResponse!.response as { output: string }).output;
    expect(output).toContain('screenshot.png');
    expect(output).toMatch(/attachment/);
  });

  it('answers a call without a tool_result with an error response and a warning, so the counts still match', () => {
    const { body, warnings } = translate(
      req([
        { role: 'user', content: 'go' },
        assistant(['fc_r1', 'fc_b2']),
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'fc_r1', content: 'x' }] },
      ]),
    );
    expect(responses(body.contents[2]).map((p) => Object.keys(p.functionResponse!.response))).toEqual([['output'], ['error']]);
    expect(warnings.some((w) => w.includes('fc_b2'))).toBe(true);
  });

  it('sends a tool_result that answers no call of the turn before as text, with a warning', () => {
    const { body, warnings } = translate(
      req([{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_gone', content: 'late' }] }]),
    );
    expect(body.contents[0].parts.some((p) => p.functionResponse)).toBe(false);
    expect(body.contents[0].parts[0].text).toContain('late');
    expect(warnings.some((w) => w.includes('toolu_gone'))).toBe(true);
  });
});

describe('content, roles and settings', () => {
  it('merges consecutive same-role turns and maps assistant to model; a conversation ending on a model turn gets a user turn after it', () => {
    const out = translate(
      req([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
      ]),
    ).body;
    expect(out.contents.slice(0, 2)).toEqual([
      { role: 'user', parts: [{ text: 'a' }, { text: 'b' }] },
      { role: 'model', parts: [{ text: 'c' }] },
    ]);
    expect(out.contents).toHaveLength(3);
    expect(out.contents[2].role).toBe('user');
  });

  it('maps images and documents: base64 inline, PDF inline, plain text inlined, URLs as placeholders with warnings', () => {
    const content: ContentBlockParam[] = [
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, title: 'N' },
      { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
    ];
    const { body, warnings } = translate(req([{ role: 'user', content }]));
    const parts: GeminiPart[] = body.contents[0].parts;
    expect(parts[0]).toEqual({ inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } });
    expect(parts[1].text).toContain('https://example.com/cat.png');
    expect(parts[2]).toEqual({ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } });
    expect(parts[3].text).toContain('notes');
    expect(parts[4].text).toContain('https://example.com/a.pdf');
    expect(warnings).toHaveLength(2);
  });

  it('maps tool_choice auto/any/tool/none to functionCallingConfig', () => {
    const tools: Tool[] = [{ name: 'Read', input_schema: { type: 'object', properties: { p: { type: 'string' } } } }];
    const cfg = (tool_choice: MessagesRequest['tool_choice']) =>
      translate(req([{ role: 'user', content: 'x' }], { tools, tool_choice })).body.toolConfig;
    expect(cfg({ type: 'auto' })).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(cfg({ type: 'any' })).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(cfg({ type: 'tool', name: 'Read' })).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['Read'] } });
    expect(cfg({ type: 'none' })).toEqual({ functionCallingConfig: { mode: 'NONE' } });
  });

  it('cuts stop sequences to five with a warning and passes sampling settings', () => {
    const { body, warnings } = translate(
      req([{ role: 'user', content: 'x' }], { stop_sequences: ['1', '2', '3', '4', '5', '6'], temperature: 0.2, top_p: 0.9, top_k: 40 }),
    );
    expect(body.generationConfig).toMatchObject({ stopSequences: ['1', '2', '3', '4', '5'], temperature: 0.2, topP: 0.9, topK: 40 });
    expect(warnings.some((w) => w.includes('stop sequences'))).toBe(true);
  });

  it('thinking: disabled is budget 0 where the model allows it and left out on 2.5 Pro; adaptive is -1', () => {
    const r = (thinking: MessagesRequest['thinking']) => req([{ role: 'user', content: 'x' }], { thinking });
    expect(translate(r({ type: 'disabled' })).body.generationConfig!.thinkingConfig).toEqual({ thinkingBudget: 0 });
    expect(translate(r({ type: 'disabled' }), undefined, tier, 'gemini-2.5-pro').body.generationConfig!.thinkingConfig).toBeUndefined();
    expect(translate(r({ type: 'adaptive' })).body.generationConfig!.thinkingConfig).toEqual({ thinkingBudget: -1, includeThoughts: true });
    expect(
      translate({ ...r({ type: 'enabled', budget_tokens: 1024 }), max_tokens: 16000 }, undefined, tier, 'gemini-2.5-pro').body
        .generationConfig!.thinkingConfig,
    ).toEqual({ thinkingBudget: 1024, includeThoughts: true });
  });

  it('remembers the tool names whose Gemini form differs, for the way back', () => {
    const tools: Tool[] = [{ name: 'odd name', input_schema: { type: 'object', properties: { a: { type: 'string' } } } }];
    const { body, context } = translate(req([{ role: 'user', content: 'x' }], { tools }));
    const gname = body.tools![0].functionDeclarations[0].name;
    expect(gname).not.toBe('odd name');
    expect(context.names[gname]).toBe('odd name');
  });
});

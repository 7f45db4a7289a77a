// The Gemini tier against a fake as strict as Gemini: media it cannot read, a bad key, Gemini 3's
// thinking and signature rules, function-call ids, the last turn's role, and $ref with siblings.

import { afterEach, describe, expect, it } from 'vitest';
import type Anthropic from '@anthropic-ai/sdk';
import { startStrictAnthropic, signThinking } from '../helpers/strict-anthropic.ts';
import { startStrictGemini, type GeminiBody, type StrictGeminiOptions } from '../helpers/strict-gemini.ts';
import { startFakeDeepSeek } from '../helpers/fake-deepseek-anthropic.ts';
import { startVendorHarness, type VendorTier } from '../helpers/vendor-harness.ts';
import { conversation, outcome, PROMPT, textOf } from './conversation.ts';
import { GIF, PNG } from '../helpers/images.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEY = 'AIza-test-gemini-key';

/** Claude rate limited, then the Gemini fake (model `model`), then optionally more tiers. */
async function setup(model: string, reply: StrictGeminiOptions['reply'], more: VendorTier[] = [], tierKey = KEY) {
  const claude = await startStrictAnthropic({ limited: true, retryAfter: '1' });
  const gemini = await startStrictGemini({ key: KEY, reply });
  const h = await startVendorHarness([
    { name: 'claude', protocol: 'anthropic', base_url: claude.url },
    { name: 'gemini', protocol: 'gemini', base_url: gemini.url, api_key: tierKey, model },
    ...more,
  ]);
  cleanup.push(
    () => claude.close(),
    () => gemini.close(),
    () => h.close(),
  );
  return { claude, gemini, h };
}

const sent = (g: { requests: { json: unknown }[] }, i = -1) => g.requests.at(i)!.json as GeminiBody;
const readCall = (file: string) => ({ name: 'Read', args: { file_path: `/repo/${file}` } });

describe('images Gemini cannot read', () => {
  it('sends a png that Read put in a tool_result inline and a gif as a placeholder, with a --verbose warning', async () => {
    const { gemini, h } = await setup('gemini-2.5-flash', (_b, i) =>
      i === 0 ? { calls: [readCall('logo.png'), readCall('spinner.gif')] } : { text: 'Both images seen.' },
    );
    const c = conversation(h.url);
    await c.turn();
    c.answerTools((call) => {
      const gif = (call.input as { file_path: string }).file_path.endsWith('.gif');
      return [{ type: 'image', source: { type: 'base64', media_type: gif ? 'image/gif' : 'image/png', data: gif ? GIF : PNG } }];
    });
    const t2 = await outcome(c.turn());
    expect(t2).toMatchObject({ content: [{ type: 'text', text: 'Both images seen.' }] });
    const parts = sent(gemini).contents!.at(-1)!.parts;
    expect(parts.filter((p) => p.inlineData).map((p) => p.inlineData!.mimeType)).toEqual(['image/png']);
    expect(JSON.stringify(parts)).toContain('image/gif image, 34 bytes not shown');
    expect(h.logs.join('\n')).toMatch(/gemini: image\/gif in a tool result replaced by a placeholder/);
  });

  it('sends every image as a placeholder to a tier configured with vision: false, in the user content too', async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
    const gemini = await startStrictGemini({ key: KEY, reply: () => ({ text: 'ok' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'gemini', protocol: 'gemini', base_url: gemini.url, api_key: KEY, model: 'gemini-2.5-flash', vision: false },
    ]);
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => h.close(),
    );
    const c = conversation(h.url, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ],
      },
    ]);
    await c.turn();
    expect(JSON.stringify(sent(gemini))).not.toContain('inlineData');
    expect(JSON.stringify(sent(gemini))).toContain('image/png image, 70 bytes not shown: this model cannot read images');
  });
});

describe('a bad Gemini key', () => {
  it('is a key failure: the next tier answers, Gemini cools down and the log says why, without the key', async () => {
    const deepseek = await startFakeDeepSeek({ key: 'sk-ds', reply: () => ({ text: 'DeepSeek answers.' }) });
    cleanup.push(() => deepseek.close());
    const { gemini, h } = await setup(
      'gemini-2.5-flash',
      () => ({ text: 'never' }),
      [{ name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: 'sk-ds', model: 'deepseek-v4-flash' }],
      'AIza-revoked-key',
    );
    // The tier sends AIza-revoked-key; the fake takes only KEY.
    const c = conversation(h.url, [{ role: 'user', content: 'hi' }]);
    const t1 = await outcome(c.turn());
    expect(textOf(t1), JSON.stringify(t1)).toBe('DeepSeek answers.');
    expect(gemini.verdicts).toEqual([{ status: 400, message: 'API_KEY_INVALID' }]);
    c.say('again');
    await c.turn();
    expect(gemini.requests).toHaveLength(1); // cooling down, not asked again
    const log = h.logs.join('\n');
    expect(log).toMatch(/gemini 400 .*API key not valid/);
    expect(log).not.toContain('AIza-revoked-key');
  });
});

describe('Gemini 3', () => {
  it('gets thinkingLevel, not thinkingBudget, and a level 3 Pro takes', async () => {
    const { gemini, h } = await setup('gemini-3-pro-preview', () => ({ text: 'ok' }));
    await conversation(h.url).turn();
    const tc = sent(gemini).generationConfig?.thinkingConfig;
    expect(tc?.thinkingBudget).toBeUndefined();
    expect(['LOW', 'HIGH']).toContain(tc?.thinkingLevel);
    expect(tc?.includeThoughts).toBe(true);
  });

  it('treats gemini-flash-latest as the current (3.x) family: thinkingLevel, signatures round-trip', async () => {
    const { gemini, h } = await setup('gemini-flash-latest', (_b, i) => (i === 0 ? { calls: [readCall('a.ts')] } : { text: 'done' }));
    const c = conversation(h.url);
    await c.turn();
    c.answerTools();
    const t2 = await outcome(c.turn());
    expect(t2).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
    expect(sent(gemini, 0).generationConfig?.thinkingConfig?.thinkingLevel).toBeDefined();
    expect(gemini.verdicts).toEqual([{ status: 200 }, { status: 200 }]);
  });

  it("puts Google's dummy signature on another model's calls of the current turn only, on Gemini 3 and 2.5 alike", async () => {
    const claudeCall = (id: string): Anthropic.ContentBlockParam[] => {
      const thinking = `Claude plans ${id}.`;
      return [
        { type: 'thinking', thinking, signature: signThinking(thinking) },
        { type: 'tool_use', id, name: 'Read', input: { file_path: '/repo/a.ts' } },
      ];
    };
    const history: Anthropic.MessageParam[] = [
      ...PROMPT,
      { role: 'assistant', content: claudeCall('toolu_old') },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_old', content: 'old' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Read it.' }] },
      { role: 'user', content: 'Now read it again.' },
      { role: 'assistant', content: claudeCall('toolu_now') },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_now', content: 'now' }] },
    ];
    const signatures = (body: GeminiBody) =>
      body
        .contents!.filter((c) => c.role === 'model')
        .flatMap((c) => c.parts.filter((p) => p.functionCall).map((p) => p.thoughtSignature ?? null));

    const three = await setup('gemini-3-flash-preview', () => ({ text: 'ok' }));
    expect(await outcome(conversation(three.h.url, history).turn())).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect(signatures(sent(three.gemini))).toEqual([null, 'skip_thought_signature_validator']);

    // Gemini 2.5 refuses an unsigned call of the current turn too (strict-gemini.ts cites the reports).
    const two = await setup('gemini-2.5-flash', () => ({ text: 'ok' }));
    expect(await outcome(conversation(two.h.url, history).turn())).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect(signatures(sent(two.gemini))).toEqual([null, 'skip_thought_signature_validator']);
    expect(two.gemini.verdicts).toEqual([{ status: 200 }]);
  });
});

describe('function calls and turns', () => {
  it('gives Claude Code unique tool_use ids when Gemini repeats an id, so the conversation stays valid for Claude', async () => {
    const { claude, gemini, h } = await setup('gemini-3-flash-preview', (_b, i) =>
      i < 2 ? { calls: [{ ...readCall(`f${i}.ts`), id: 'function-call-1' }] } : { text: 'x' },
    );
    const c = conversation(h.url);
    const t1 = await c.turn();
    c.answerTools();
    const t2 = await c.turn();
    c.answerTools();
    const ids = [t1, t2].flatMap((m) => m.content.filter((b) => b.type === 'tool_use').map((b) => (b as Anthropic.ToolUseBlock).id));
    expect(new Set(ids).size).toBe(2);
    expect(gemini.verdicts.every((v) => v.status === 200)).toBe(true);

    claude.limited = false;
    await h.healthy(0);
    await outcome(c.turn());
    expect(claude.verdicts.filter((v) => v.status !== 429)).toEqual([{ status: 200 }]);
  });

  it('never sends a conversation that ends on a model turn (an assistant prefill becomes part of the answer request)', async () => {
    const { gemini, h } = await setup('gemini-2.5-flash', () => ({ text: ' world' }));
    const c = conversation(h.url, [
      { role: 'user', content: 'Say hello world.' },
      { role: 'assistant', content: 'Hello' },
    ]);
    const t = await outcome(c.turn({ thinking: undefined, context_management: undefined } as never));
    expect(t).toMatchObject({ content: [{ type: 'text' }] });
    expect(gemini.verdicts).toEqual([{ status: 200 }]);
    expect(sent(gemini).contents!.at(-1)!.role).toBe('user');
  });

  it('sends a tool schema with $ref beside other keywords in a form Gemini takes (parametersJsonSchema, the default)', async () => {
    const { gemini, h } = await setup('gemini-2.5-flash', () => ({ text: 'ok' }));
    const tool: Anthropic.Tool = {
      name: 'AskUserQuestion',
      description: 'Ask the user',
      input_schema: {
        type: 'object',
        $defs: { QuestionOption: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] } },
        properties: { option: { $ref: '#/$defs/QuestionOption', type: 'object', description: 'the option' } },
      },
    };
    const t = await outcome(conversation(h.url, [{ role: 'user', content: 'ask me' }]).turn({ tools: [tool] }));
    expect(t).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect(gemini.verdicts).toEqual([{ status: 200 }]);
  });
});

// The capability table, the tier overrides, the placeholders for media a tier cannot read, and the
// window check with Anthropic's too-long body.

import { describe, expect, it } from 'vitest';
import { modelProfile, openAIModelProfile } from '../../proxy/capabilities/model-profiles.ts';
import { tierCapabilities } from '../../proxy/capabilities/tier-capabilities.ts';
import { fitMedia } from '../../proxy/capabilities/media-fit.ts';
import { fitsWindow, promptTooLongBody } from '../../proxy/capabilities/window-fit.ts';
import { parseConfig } from '../../proxy/config.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import { GIF, PNG } from '../helpers/images.ts';

describe('model profiles', () => {
  it.each([
    ['gemini-2.5-flash', 'gemini-2.5', 'gemini-budget', false],
    ['gemini-3-flash-preview', 'gemini-3', 'gemini-level', false],
    ['gemini-flash-latest', 'gemini-3', 'gemini-level', false],
    ['google/gemini-3.1-pro-preview', 'gemini-3', 'gemini-level', false],
    ['deepseek-v4-flash', 'deepseek-flash', 'deepseek', true],
    ['deepseek-flash', 'deepseek-flash', 'deepseek', true],
    ['deepseek-v4-pro', 'deepseek-pro', 'deepseek', false],
    ['claude-opus-5-5', 'claude', 'anthropic', true],
    ['gpt-4.1', 'gpt-4.1', 'none', true],
    ['o3', 'o-series', 'openai-effort', true],
    ['o3-mini', 'o-mini', 'openai-effort', false],
  ])('%s is %s, thinks as %s, reads gif: %s', (model, family, thinking, gif) => {
    const p = modelProfile(model);
    expect([p.family, p.thinking, p.imageTypes.includes('image/gif')]).toEqual([family, thinking, gif]);
  });

  it('says deepseek-reasoner is retired and thinks like V4 (reasoning passed back), not like the old R1', () => {
    expect(modelProfile('deepseek-reasoner')).toMatchObject({ thinking: 'deepseek', retired: expect.stringContaining('2026-07-24') });
  });

  // One table for the capabilities and the Chat Completions request (it replaced two that disagreed on
  // DeepSeek): DeepSeek's documented names, and only those, get V4's window and 384K ceiling.
  it.each([
    ['deepseek-flash', 'deepseek-flash', 1_000_000, 393_216],
    ['deepseek-v4-flash', 'deepseek-flash', 1_000_000, 393_216],
    ['deepseek-v4-flash-vision-exp', 'deepseek-flash', 1_000_000, 393_216],
    ['deepseek/deepseek-v4.1-flash', 'deepseek-flash', 1_000_000, 393_216],
    ['deepseek-v4-pro', 'deepseek-pro', 1_000_000, 393_216],
    ['deepseek-v5-preview', 'deepseek', undefined, undefined],
  ])('DeepSeek name %s is %s (window %s, ceiling %s) for every protocol', (model, family, window, ceiling) => {
    const p = modelProfile(model);
    expect([p.family, p.contextWindow, p.maxOutputTokens]).toEqual([family, window, ceiling]);
    expect(openAIModelProfile(model)).toMatchObject({
      reasoning: 'deepseek',
      maxOutputTokens: ceiling ?? 8_192,
      tokenField: 'max_tokens',
      sampling: true,
    });
  });

  it('reads the Chat Completions rules off the same rows: o-series, gpt-5, o1-mini, Mistral, an unknown name', () => {
    expect(openAIModelProfile('o3')).toEqual({
      maxOutputTokens: 100_000,
      tokenField: 'max_completion_tokens',
      reasoning: 'openai',
      sampling: false,
      parallelToolCalls: false,
    });
    expect(openAIModelProfile('openai/gpt-5-mini')).toEqual({
      maxOutputTokens: 128_000,
      tokenField: 'max_completion_tokens',
      reasoning: 'openai',
      sampling: false,
    });
    expect(openAIModelProfile('o1-mini')).toEqual({
      maxOutputTokens: 65_536,
      tokenField: 'max_completion_tokens',
      reasoning: 'none',
      sampling: false,
      parallelToolCalls: false,
    });
    expect(openAIModelProfile('mistral-large-latest')).toEqual({
      maxOutputTokens: 32_768,
      tokenField: 'max_tokens',
      reasoning: 'none',
      sampling: true,
      streamOptions: false,
    });
    expect(openAIModelProfile('my-llama')).toEqual({ maxOutputTokens: 8_192, tokenField: 'max_tokens', reasoning: 'none', sampling: true });
  });

  it('knows no window for a name it does not know, and assumes the common image types', () => {
    const p = modelProfile('my-local-model');
    expect(p.contextWindow).toBeUndefined();
    expect(p).toMatchObject({ family: 'unknown', imageTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] });
  });
});

describe('tier overrides', () => {
  const load = (extra: string) =>
    parseConfig(
      `tiers:\n  - name: local\n    protocol: openai\n    base_url: http://127.0.0.1:1/v1\n    api_key: k\n    model: my-local-model\n${extra}`,
      'f.yaml',
      {},
    ).tiers[0];

  it('reads vision, image_types, documents, context_window and vendor from the config', () => {
    const tier = load('    vision: false\n    context_window: 131072\n    documents: true\n    vendor: other\n');
    expect(tier).toMatchObject({ vision: false, contextWindow: 131072, documents: true, vendor: 'other' });
    const caps = tierCapabilities(tier, tier.model!);
    expect(caps).toMatchObject({ imageTypes: [], contextWindow: 131072, documentTypes: ['application/pdf'] });
    expect(tierCapabilities(load('    image_types: [image/png]\n'), 'my-local-model').imageTypes).toEqual(['image/png']);
  });

  it.each([
    [
      '    vendor: anthropik\n',
      'f.yaml:7: tiers[0].vendor: unknown vendor "anthropik": use one of anthropic, deepseek, google, openai, openrouter, mistral, other',
    ],
    ['    image_types: [gif]\n', 'f.yaml:7: tiers[0].image_types: "gif" is not an image media type (write it like image/png)'],
    ['    context_window: 12\n', 'f.yaml:7: tiers[0].context_window: must be a whole number from 1024 to 100000000, got 12'],
  ])('refuses a bad override with the key and line: %s', (extra, message) => {
    expect(() => load(extra)).toThrow(message);
  });
});

describe('fitMedia', () => {
  const request = (content: MessagesRequest['messages'][number]['content']): MessagesRequest => ({
    model: 'm',
    max_tokens: 10,
    messages: [{ role: 'user', content }],
  });
  const gemini = tierCapabilities({ protocol: 'gemini' }, 'gemini-2.5-flash');

  it('replaces a gif in a tool result with a readable placeholder and keeps the png beside it', () => {
    const req = request([
      {
        type: 'tool_result',
        tool_use_id: 'toolu_1',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: GIF } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ],
      },
    ]);
    const { request: out, warnings } = fitMedia(req, gemini);
    const result = (out.messages[0].content as { content: { type: string; text?: string }[] }[])[0].content;
    expect(result[0]).toEqual({
      type: 'text',
      text: '[image/gif image, 34 bytes not shown: this model reads only image/png, image/jpeg, image/webp, image/heic, image/heif]',
    });
    expect(result[1]).toBe((req.messages[0].content as { content: unknown[] }[])[0].content[1]);
    expect(warnings).toEqual([
      'image/gif in a tool result replaced by a placeholder: gemini-2.5 reads image/png, image/jpeg, image/webp, image/heic, image/heif',
    ]);
    // The caller's request is not modified.
    expect(JSON.stringify(req)).toContain('image/gif');
  });

  it('replaces every image for a tier without vision, in the user content too, and PDFs where documents are off', () => {
    const caps = tierCapabilities({ protocol: 'openai', vision: false }, 'gpt-4.1');
    const req = request([
      { type: 'text', text: 'look' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'document', title: 'spec', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } },
    ]);
    const { request: out, warnings } = fitMedia(req, caps);
    expect(out.messages[0].content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'text', text: '[image/png image, 70 bytes not shown: this model cannot read images]' },
      { type: 'text', text: '[Document "spec" (application/pdf, 9 bytes) not shown: this model cannot read documents]' },
    ]);
    expect(warnings).toHaveLength(2);
  });

  it('returns the same request when every block fits', () => {
    const req = request([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }]);
    expect(fitMedia(req, gemini).request).toBe(req);
  });
});

describe('window fit', () => {
  it("fits when the window is unknown or large enough, and gives Anthropic's exact too-long body otherwise", () => {
    expect(fitsWindow(5000, undefined).fits).toBe(true);
    expect(fitsWindow(5000, 5000).fits).toBe(true);
    expect(fitsWindow(5001, 5000)).toEqual({ fits: false, estimate: 5001, window: 5000 });
    expect(JSON.stringify(promptTooLongBody(203052, 200000))).toBe(
      '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 203052 tokens > 200000 maximum"}}',
    );
  });
});

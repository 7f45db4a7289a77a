// A switch to Gemini 2.5 or 3 over Google's OpenAI-compatible endpoint in the middle of a tool-using turn:
// Claude's calls of the current turn carry no Gemini signature, which Google refuses (400 INVALID_ARGUMENT
// "Function call is missing a thought_signature"), so the proxy puts Google's placeholder
// `skip_thought_signature_validator` on them as `extra_content.google.thought_signature`
// (https://ai.google.dev/gemini-api/docs/openai#thinking, https://ai.google.dev/gemini-api/docs/thought-signatures#faqs).

import { afterEach, describe, expect, it } from 'vitest';
import type Anthropic from '@anthropic-ai/sdk';
import { startStrictAnthropic, signThinking } from '../helpers/strict-anthropic.ts';
import { startFakeOpenAI, type ChatBody } from '../helpers/fake-openai-compatible.ts';
import { startVendorHarness } from '../helpers/vendor-harness.ts';
import { conversation, outcome, PROMPT } from './conversation.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEY = 'sk-google-openai-key';

/** Claude is rate-limited, so every request goes to the OpenAI-protocol tier at `path` on the fake. */
async function setup(model: string, path = '/v1beta/openai') {
  const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
  const fake = await startFakeOpenAI({ flavor: 'google', key: KEY, reply: () => ({ text: 'ok' }) });
  const h = await startVendorHarness([
    { name: 'claude', protocol: 'anthropic', base_url: claude.url },
    { name: 'google', protocol: 'openai', base_url: fake.url + path, api_key: KEY, model },
  ]);
  cleanup.push(
    () => claude.close(),
    () => fake.close(),
    () => h.close(),
  );
  return { fake, h };
}

/** Claude's step: its own thinking (Anthropic's signature, useless to Gemini) or none, then a call. */
const claudeCall = (id: string, thinks: boolean): Anthropic.ContentBlockParam[] => {
  const thinking = `Claude plans ${id}.`;
  const call: Anthropic.ContentBlockParam = { type: 'tool_use', id, name: 'Read', input: { file_path: '/repo/a.ts' } };
  return thinks ? [{ type: 'thinking', thinking, signature: signThinking(thinking) }, call] : [call];
};

/** An earlier turn with Claude's call, a new prompt, then Claude's two steps of the current turn. */
const history = (thinks: boolean): Anthropic.MessageParam[] => [
  ...PROMPT,
  { role: 'assistant', content: claudeCall('toolu_old', thinks) },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_old', content: 'old' }] },
  { role: 'assistant', content: [{ type: 'text', text: 'Read it.' }] },
  { role: 'user', content: 'Now read it again, twice.' },
  { role: 'assistant', content: claudeCall('toolu_now1', thinks) },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_now1', content: 'now 1' }] },
  { role: 'assistant', content: claudeCall('toolu_now2', thinks) },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_now2', content: 'now 2' }] },
];

/** The signature sent on each tool call, in order (null: none). */
const signatures = (body: ChatBody) =>
  (body.messages ?? []).flatMap((m) => (m.tool_calls ?? []).map((c) => c.extra_content?.google?.thought_signature ?? null));

describe("Claude's unsigned calls on Google's OpenAI-compatible endpoint", () => {
  for (const model of ['gemini-2.5-flash', 'gemini-3-flash-preview'])
    for (const thinks of [true, false])
      it(`${model}: answers a conversation whose current turn has Claude's calls (${thinks ? 'with' : 'without'} Claude's thinking), placeholder on the current turn's calls only`, async () => {
        const { fake, h } = await setup(model);
        const answer = await outcome(conversation(h.url, history(thinks)).turn());
        expect(answer).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
        expect(fake.verdicts).toEqual([{ status: 200 }]);
        const body = fake.requests.at(-1)!.json as ChatBody;
        expect(signatures(body)).toEqual([null, 'skip_thought_signature_validator', 'skip_thought_signature_validator']);
      });

  it('sends no placeholder to a model that does not check signatures (gemini-2.0-flash)', async () => {
    const { fake, h } = await setup('gemini-2.0-flash');
    expect(await outcome(conversation(h.url, history(false)).turn())).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect(signatures(fake.requests.at(-1)!.json as ChatBody)).toEqual([null, null, null]);
  });

  it('sends no placeholder to an OpenAI-compatible server that is not Google (a Gemini name behind another path)', async () => {
    const { fake, h } = await setup('gemini-2.5-flash', '/v1');
    await outcome(conversation(h.url, history(false)).turn());
    // The google fake refuses it: without the endpoint's path the proxy does not treat the tier as Google's.
    expect(signatures(fake.requests.at(-1)!.json as ChatBody)).toEqual([null, null, null]);
  });
});

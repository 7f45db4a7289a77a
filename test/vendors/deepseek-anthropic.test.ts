// DeepSeek on its Anthropic-compatible endpoint is a vendor, not Anthropic: its thinking blocks come
// back to Claude Code marked, go back to DeepSeek as DeepSeek signed them, never reach Anthropic, and
// DeepSeek, which thinks unless told not to, is told so whenever Anthropic's semantics say no thinking.

import { afterEach, describe, expect, it } from 'vitest';
import type Anthropic from '@anthropic-ai/sdk';
import { startStrictAnthropic, signThinking } from '../helpers/strict-anthropic.ts';
import { startFakeDeepSeek, type DeepSeekBody } from '../helpers/fake-deepseek-anthropic.ts';
import { startStrictGemini } from '../helpers/strict-gemini.ts';
import { startVendorHarness } from '../helpers/vendor-harness.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import { conversation, outcome } from './conversation.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DS_KEY = 'sk-deepseek-test-key';
const read = (file: string) => ({ name: 'Read', input: { file_path: `/repo/${file}` } });

/** Claude answering with its own signed thinking, then a Read (or the final text). */
function claudeAnswer(calls: ReturnType<typeof read>[], text?: string): string {
  const thinking = `Claude plans ${calls.length ? 'a read' : 'the answer'}.`;
  return anthropicSSE({ thinking, text, calls }, { model: 'claude-sonnet-4-6', signature: signThinking(thinking) }).sse;
}

const thinkingTypes = (m: Anthropic.Message) => m.content.map((b) => b.type);

describe('claude → deepseek (protocol: anthropic) → claude', () => {
  it("marks DeepSeek's thinking for Claude Code, gives DeepSeek its own blocks back, and Claude gets none of them", async () => {
    const claude = await startStrictAnthropic({
      limited: true,
      retryAfter: '1',
      answer: () => claudeAnswer([], 'Claude finishes: both files read.'),
    });
    const deepseek = await startFakeDeepSeek({ key: DS_KEY, reply: (_b, i) => (i < 2 ? { calls: [read(`f${i}.ts`)] } : { text: 'done' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: DS_KEY, model: 'deepseek-v4-flash' },
    ]);
    cleanup.push(
      () => claude.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const c = conversation(h.url);

    const t1 = await c.turn();
    expect(thinkingTypes(t1)).toEqual(['thinking', 'tool_use']);
    const shown = (t1.content[0] as Anthropic.ThinkingBlock).signature;
    expect([...deepseek.issued.keys()]).not.toContain(shown); // Claude Code never holds DeepSeek's raw signature
    c.answerTools();

    await c.turn(); // still on DeepSeek: it must get its thinking block back exactly as it signed it
    c.answerTools();
    const sent = deepseek.requests[1].json as DeepSeekBody;
    const echoed = (sent.messages![1].content as { type: string; thinking?: string; signature?: string }[])[0];
    expect(deepseek.issued.get(echoed.signature!)).toBe(echoed.thinking);

    claude.limited = false;
    await h.healthy(0);
    const t3 = await outcome(c.turn());
    expect(t3).toMatchObject({ content: [{ type: 'thinking' }, { type: 'text', text: 'Claude finishes: both files read.' }] });
    expect(claude.verdicts.filter((v) => v.status !== 429)).toEqual([{ status: 200 }]);
    const toClaude = claude.requests.at(-1)!.body.toString();
    for (const sig of deepseek.issued.keys()) expect(toClaude).not.toContain(sig);
    expect(toClaude).not.toContain('DeepSeek reasons');
    expect(deepseek.verdicts).toEqual([{ status: 200 }, { status: 200 }]);
  });
});

describe('claude → gemini → deepseek (protocol: anthropic)', () => {
  it('asks DeepSeek with thinking {type: "disabled"} and no foreign thinking when earlier tool calls carry no DeepSeek thinking', async () => {
    let claudeTurns = 0;
    const claude = await startStrictAnthropic({ retryAfter: '30', answer: () => claudeAnswer(claudeTurns++ === 0 ? [read('a.ts')] : []) });
    const gemini = await startStrictGemini({
      key: 'AIza-test',
      reply: () => ({ calls: [{ name: 'Read', args: { file_path: '/repo/b.ts' } }] }),
    });
    const deepseek = await startFakeDeepSeek({ key: DS_KEY, reply: () => ({ text: 'DeepSeek finishes the loop.' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'gemini-flash', protocol: 'gemini', base_url: gemini.url, api_key: 'AIza-test', model: 'gemini-2.5-flash' },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: DS_KEY, model: 'deepseek-v4-flash' },
    ]);
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const c = conversation(h.url);

    expect(thinkingTypes(await c.turn())).toEqual(['thinking', 'tool_use']); // Claude opens the loop
    c.answerTools();
    claude.limited = true;
    await c.turn(); // Gemini continues it
    c.answerTools();
    gemini.limited = true;
    const t3 = await outcome(c.turn()); // DeepSeek: its first request in this conversation

    expect(t3).toMatchObject({ content: [{ type: 'text', text: 'DeepSeek finishes the loop.' }] });
    expect(deepseek.verdicts).toEqual([{ status: 200 }]);
    const sent = deepseek.requests[0].json as DeepSeekBody & { context_management?: unknown };
    expect(sent.thinking).toEqual({ type: 'disabled' });
    expect(JSON.stringify(sent.messages)).not.toMatch(/"type":"(redacted_)?thinking"/);
    expect(h.logs.join('\n')).toMatch(/deepseek: .*thinking turned off/);
  });

  it('says thinking {type: "disabled"} when the client asked for none: leaving the field out keeps DeepSeek thinking', async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
    const deepseek = await startFakeDeepSeek({ key: DS_KEY, reply: () => ({ text: 'A short title' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: DS_KEY, model: 'deepseek-v4-flash' },
    ]);
    cleanup.push(
      () => claude.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const c = conversation(h.url, [{ role: 'user', content: 'Give this conversation a title.' }]);
    // Claude Code's small side requests (titles, summaries) go without thinking.
    const t = await c.turn({ thinking: undefined, context_management: undefined } as never);
    expect((deepseek.requests[0].json as DeepSeekBody).thinking).toEqual({ type: 'disabled' });
    expect(thinkingTypes(t)).toEqual(['text']);
  });
});

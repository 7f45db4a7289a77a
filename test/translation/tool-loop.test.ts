// Issue 3 end to end: a Claude-Code-like tool loop through the real proxy with the official SDK.
// Anthropic (a strict fake that refuses what the real API refuses) answers 429; an OpenAI-protocol or
// Gemini fake replays the fixtures (parallel tool calls, an image in a tool result, a final text) over
// several turns; after the cooldown the same conversation, proxy-made thinking blocks and all, goes back
// to Anthropic and is accepted. No request of the loop is rejected.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import type { Harness } from '../helpers/harness.ts';
import { ISSUED_SIGNATURES, TEXT_FIXTURE, THINKING_FIXTURE, TOOL_FIXTURE, startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import {
  PROVIDERS,
  anthropicCalls,
  anthropicText,
  anthropicUsage,
  type Provider,
  type SentCall,
  type SentUsage,
  startFallbackHarness,
} from './providers.ts';
import type { LedgerEvent, SwitchEvent, UsageEvent } from '../../proxy/git/ledger.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const CAPTURED = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as {
  headers: Record<string, string>;
  body: Anthropic.MessageCreateParamsStreaming;
}[];
// Claude Code's own request: its system prompt, 12 tools, metadata, thinking (budget 31999 of 32000)
// and context management. The captured 4-5 model name makes the SDK print a deprecation notice.
const { messages: capturedMessages, ...CLAUDE_CODE } = { ...CAPTURED[0].body, model: 'claude-sonnet-4-6' };
const BETA = CAPTURED[0].headers['anthropic-beta'];
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const [CLAUDE_TOOL] = anthropicCalls(TOOL_FIXTURE);

type Json = Record<string, unknown>;
type OpenAIMessage = {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  reasoning_content?: string;
};
type GeminiPart = {
  text?: string;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: { id?: string; name: string; args: unknown };
  functionResponse?: { id?: string; name: string; response: { output?: string; error?: string } };
};
type GeminiContent = { role: string; parts: GeminiPart[] };

async function setup(p: Provider) {
  // Claude answers a tool loop that the proxy sent without thinking with a tool call, then with text;
  // a request with thinking on gets the thinking fixture (the signature it issues).
  const strict = await startStrictAnthropic({
    limited: true,
    retryAfter: '3600',
    answer: (body, thinking) => {
      if (thinking) return THINKING_FIXTURE;
      const last = (body.messages as { content: unknown }[]).at(-1)!.content;
      return JSON.stringify(last).includes(CLAUDE_TOOL.id) ? TEXT_FIXTURE : TOOL_FIXTURE;
    },
  });
  const replies: string[] = [];
  const fallback = await startFakeUpstream((_req, i) => ({
    kind: 'sse',
    text: replies[i] ?? 'data: {"error":{"message":"unscripted request"}}\n\n',
  }));
  const h = await startFallbackHarness(p, strict.url, fallback.url, { max_wait: '0s' });
  cleanup.push(
    () => strict.close(),
    () => fallback.close(),
    () => h.close(),
  );
  const client = new Anthropic({ apiKey: 'sk-ant-client-key', baseURL: h.url, maxRetries: 0 });
  return { strict, fallback, replies, h, client };
}

/** One turn as Claude Code sends it: the whole history, Claude Code's settings, its beta header. */
function turn(client: Anthropic, messages: Anthropic.MessageParam[]): Promise<Anthropic.Message> {
  return client.messages
    .stream({ ...CLAUDE_CODE, messages } as Anthropic.MessageCreateParamsStreaming, { headers: { 'anthropic-beta': BETA } })
    .finalMessage();
}

/** Claude Code echoes the assistant message exactly as the SDK accumulated it. */
const echo = (m: Anthropic.Message): Anthropic.MessageParam => ({ role: 'assistant', content: m.content as Anthropic.ContentBlockParam[] });
const toolUses = (m: Anthropic.Message) =>
  m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, input: b.input }));
const plain = (calls: SentCall[]) => calls.map(({ id, name, input }) => ({ id, name, input }));
const results = (calls: SentCall[], text: (c: SentCall) => string): Anthropic.MessageParam => ({
  role: 'user',
  content: calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: text(c) })),
});

async function ledger(h: Harness, usageLines: number): Promise<LedgerEvent[]> {
  for (let i = 0; i < 100 && h.events().filter((e) => e.kind === 'usage').length < usageLines; i++)
    await new Promise((r) => setTimeout(r, 20));
  return h.events();
}

/** Claude's hour of cooldown passes on the proxy's clock (no waiting). */
async function endCooldown(h: Harness): Promise<void> {
  h.clock.advance(3600_000);
  const status = (await (await fetch(`${h.url}/status`)).json()) as { tiers: { healthy: boolean }[] };
  expect(status.tiers[0].healthy).toBe(true);
}

describe.each(PROVIDERS)('a Claude Code tool loop on $tier ($protocol) and back to Claude', (p) => {
  it('translates parallel tool calls, an image in a tool result and a final text over several turns; Claude then accepts the whole conversation', async () => {
    const { strict, fallback, replies, h, client } = await setup(p);
    const sent = (i: number) => fallback.requests[i].json as Json;
    const history: Anthropic.MessageParam[] = [...capturedMessages];

    // Turn 1: the user's prompt. Claude answers 429, the fallback answers with two parallel tool calls.
    replies.push(p.toolTurn(1));
    const t1 = await turn(client, history);
    const calls1 = p.calls(replies[0]);
    expect(calls1).toHaveLength(2);
    expect(toolUses(t1)).toEqual(plain(calls1));
    expect(t1.stop_reason).toBe('tool_use');
    expect(strict.verdicts).toEqual([{ status: 429 }]);

    // Turn 2: the results, one of them with a screenshot. The fallback calls two more tools.
    history.push(echo(t1), {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: calls1[0].id,
          content: [
            { type: 'text', text: 'Screenshot of the page:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        { type: 'tool_result', tool_use_id: calls1[1].id, content: 'README.md\npackage.json' },
      ],
    });
    replies.push(p.toolTurn(2));
    const t2 = await turn(client, history);
    const calls2 = p.calls(replies[1]);
    expect(toolUses(t2)).toEqual(plain(calls2));
    expect(calls2.map((c) => c.id)).not.toEqual(calls1.map((c) => c.id));

    if (p.protocol === 'openai') {
      const messages = sent(1).messages as OpenAIMessage[];
      const a = messages.findIndex((m) => m.tool_calls);
      expect(
        messages[a].tool_calls!.map((c) => ({ id: c.id, name: c.function.name, input: JSON.parse(c.function.arguments) as unknown })),
      ).toEqual(plain(calls1));
      // One tool message per call, in the calls' order; tool messages take text only, so the
      // screenshot follows in a user message (docs/protocols.md §2.1).
      expect(messages.slice(a + 1, a + 3).map((m) => [m.role, m.tool_call_id])).toEqual(calls1.map((c) => ['tool', c.id]));
      expect(messages[a + 1].content).toContain('Screenshot of the page:');
      expect(messages[a + 2].content).toBe('README.md\npackage.json');
      expect(messages[a + 3].role).toBe('user');
      expect(messages[a + 3].content).toContainEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } });
      expect(messages).toHaveLength(a + 4);
      // DeepSeek V4 thinking mode 400s without reasoning_content on a history tool-call turn.
      if (p.tier === 'deepseek') expect(messages[a].reasoning_content).toBe('');
    } else {
      const contents = sent(1).contents as GeminiContent[];
      const m = contents.findIndex((c) => c.role === 'model');
      const callParts = contents[m].parts.filter((x) => x.functionCall);
      expect(callParts.map((x) => ({ id: x.functionCall!.id, name: x.functionCall!.name, input: x.functionCall!.args }))).toEqual(
        plain(calls1),
      );
      // The thoughtSignature goes back on the same functionCall part it came on.
      expect(callParts.map((x) => x.thoughtSignature)).toEqual(calls1.map((c) => c.thoughtSignature));
      const answer = contents[m + 1];
      expect(answer.role).toBe('user');
      const responses = answer.parts.filter((x) => x.functionResponse).map((x) => x.functionResponse!);
      expect(responses.map((r) => [r.id, r.name])).toEqual(calls1.map((c) => [c.id, c.name]));
      expect(responses[0].response.output).toContain('Screenshot of the page:');
      expect(responses[1].response.output).toBe('README.md\npackage.json');
      // The image rides after every functionResponse part of the same user content (adapter README).
      const image = answer.parts.findIndex((x) => x.inlineData);
      expect(answer.parts[image].inlineData).toEqual({ mimeType: 'image/png', data: PNG });
      expect(image).toBeGreaterThan(answer.parts.findLastIndex((x) => x.functionResponse));
      expect(contents).toHaveLength(m + 2);
    }

    // Turn 3: the last results. The fallback answers with its final text.
    history.push(
      echo(t2),
      results(calls2, (c) => `output of ${c.name}`),
    );
    replies.push(p.textTurn);
    const t3 = await turn(client, history);
    const said = p.text(p.textTurn);
    expect(t3.content.filter((b) => b.type === 'text').map((b) => b.text)).toEqual([said.text]);
    expect(t3.stop_reason).toBe('end_turn');
    if (said.reasoning) expect(t3.content[0]).toMatchObject({ type: 'thinking', thinking: said.reasoning });
    if (p.protocol === 'gemini') {
      // Every model turn of the loop gets its own signature back.
      const models = (sent(2).contents as GeminiContent[]).filter((c) => c.role === 'model');
      expect(models.map((c) => c.parts.filter((x) => x.functionCall).map((x) => x.thoughtSignature))).toEqual(
        [calls1, calls2].map((cs) => cs.map((c) => c.thoughtSignature)),
      );
    }

    // Turn 4: a new prompt, still within the cooldown; the fallback opens a new tool loop.
    history.push(echo(t3), { role: 'user', content: 'Now run the tests.' });
    replies.push(p.toolTurn(4));
    const t4 = await turn(client, history);
    const calls4 = p.calls(replies[3]);
    expect(toolUses(t4)).toEqual(plain(calls4));
    if (p.tier === 'deepseek') {
      // Its reasoning of turn 3 goes back as reasoning_content.
      const assistants = (sent(3).messages as OpenAIMessage[]).filter((m) => m.role === 'assistant');
      expect(assistants.map((m) => m.reasoning_content)).toEqual(['', '', said.reasoning]);
    }
    expect(fallback.requests).toHaveLength(4);

    // Claude's cooldown ends. Turn 5 continues the loop the fallback opened: to Anthropic.
    strict.limited = false;
    await endCooldown(h);
    history.push(
      echo(t4),
      results(calls4, (c) => `output of ${c.name}`),
    );
    const t5 = await turn(client, history);
    expect(toolUses(t5)).toEqual([CLAUDE_TOOL]);
    const toClaude = strict.requests.at(-1)!;
    // Sent as Claude Code sent it, except what Anthropic would refuse: no proxy-made thinking, and no
    // `thinking` for a loop whose opening turn has no genuine thinking (nor its thinking-only edits).
    const body5 = toClaude.json as Json;
    expect(body5.thinking).toBeUndefined();
    expect(body5.context_management).toBeUndefined();
    expect(toClaude.body.toString()).not.toContain('fallback-proxy');
    expect(body5.tools).toEqual(CLAUDE_CODE.tools);
    const ids = (body5.messages as { content: Json[] | string }[]).flatMap((m) =>
      typeof m.content === 'string' ? [] : m.content.filter((b) => b.type === 'tool_use').map((b) => b.id),
    );
    expect(ids).toEqual([...calls1, ...calls2, ...calls4].map((c) => c.id));
    expect(toClaude.headers.authorization).toBe('Bearer sk-ant-client-key'); // how this SDK sends apiKey
    expect(toClaude.headers['anthropic-beta']).toBe(BETA);

    // Turn 6: Claude's tool result; the loop still began on the fallback.
    history.push(
      echo(t5),
      results([CLAUDE_TOOL], () => '# Project\nA README.'),
    );
    const t6 = await turn(client, history);
    expect(t6.content).toEqual([{ type: 'text', text: anthropicText(TEXT_FIXTURE) }]);

    // Turns 7 and 8: new prompts with thinking on; Claude's genuine thinking comes back intact.
    history.push(echo(t6), { role: 'user', content: 'Summarise what changed.' });
    const t7 = await turn(client, history);
    expect(t7.content[0]).toEqual({
      type: 'thinking',
      thinking: [...ISSUED_SIGNATURES.values()][0],
      signature: [...ISSUED_SIGNATURES.keys()][0],
    });
    expect((strict.requests.at(-1)!.json as Json).thinking).toEqual(CLAUDE_CODE.thinking);
    history.push(echo(t7), { role: 'user', content: 'Thanks.' });
    await turn(client, history);

    // No request of the loop was refused: only the first-turn 429s, then Claude took all four.
    expect(strict.verdicts.filter((v) => v.status !== 429)).toEqual([{ status: 200 }, { status: 200 }, { status: 200 }, { status: 200 }]);
    expect(fallback.requests).toHaveLength(4);

    const events = await ledger(h, 8);
    const switches = events.filter((e): e is SwitchEvent => e.kind === 'switch');
    expect(switches.map((s) => [s.from, s.to, s.reason])).toEqual([
      ['claude', p.tier, 'rate_limit'],
      [p.tier, 'claude', 'recovered'],
    ]);
    expect(switches[0].status).toBe(429);
    const usage = events
      .filter((e): e is UsageEvent => e.kind === 'usage')
      .map((u) => ({
        tier: u.tier,
        model: u.model,
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        cache_read_tokens: u.cache_read_tokens,
      }));
    const line = (tier: string, model: string, u: SentUsage) => ({ tier, model, ...u });
    expect(usage).toEqual([
      ...replies.map((r) => line(p.tier, p.model, p.usage(r))),
      ...[TOOL_FIXTURE, TEXT_FIXTURE, THINKING_FIXTURE, THINKING_FIXTURE].map((f) => line('claude', CLAUDE_CODE.model, anthropicUsage(f))),
    ]);
  });
});

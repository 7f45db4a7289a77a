// Switching back to Claude in the cases the long tool-loop test does not reach: a fallback that
// streamed whitespace before its tool calls (Claude Code echoes that text block), and a tool loop that
// Claude opened with genuine thinking, a fallback continued after a 429, and Claude finishes.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import type { Harness } from '../helpers/harness.ts';
import {
  TEXT_FIXTURE,
  THINKING_FIXTURE,
  THINKING_TOOL_FIXTURE,
  startStrictAnthropic,
  type StrictAnthropic,
} from '../helpers/strict-anthropic.ts';
import { PROVIDERS, anthropicCalls, type Provider, type SentCall, startFallbackHarness } from './providers.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const CAPTURED = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as {
  headers: Record<string, string>;
  body: Anthropic.MessageCreateParamsStreaming;
}[];
const { messages: PROMPT, ...CLAUDE_CODE } = { ...CAPTURED[0].body, model: 'claude-sonnet-4-6' };
const BY_PROTOCOL = [PROVIDERS.find((p) => p.protocol === 'openai')!, PROVIDERS.find((p) => p.protocol === 'gemini')!];

async function setup(p: Provider, strictAnswers: string[], fallbackReplies: string[], limited: boolean) {
  let answered = 0;
  const strict = await startStrictAnthropic({ limited, retryAfter: '3600', answer: () => strictAnswers[answered++] ?? TEXT_FIXTURE });
  const fallback = await startFakeUpstream((_req, i) => ({ kind: 'sse', text: fallbackReplies[i] }));
  const h = await startFallbackHarness(p, strict.url, fallback.url, { max_wait: '0s' });
  cleanup.push(
    () => strict.close(),
    () => fallback.close(),
    () => h.close(),
  );
  return { strict, fallback, h, client: new Anthropic({ apiKey: 'sk-ant-client-key', baseURL: h.url, maxRetries: 0 }) };
}

function turn(client: Anthropic, messages: Anthropic.MessageParam[]): Promise<Anthropic.Message> {
  return client.messages
    .stream({ ...CLAUDE_CODE, messages } as Anthropic.MessageCreateParamsStreaming, {
      headers: { 'anthropic-beta': CAPTURED[0].headers['anthropic-beta'] },
    })
    .finalMessage();
}

const echo = (m: Anthropic.Message): Anthropic.MessageParam => ({ role: 'assistant', content: m.content as Anthropic.ContentBlockParam[] });
const results = (calls: SentCall[]): Anthropic.MessageParam => ({
  role: 'user',
  content: calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: `output of ${c.name}` })),
});

/** Claude's limit is over and its hour of cooldown has passed (on the proxy's clock: no waiting). */
async function afterCooldown(h: Harness, strict: StrictAnthropic): Promise<void> {
  strict.limited = false;
  h.clock.advance(3600_000);
  const status = (await (await fetch(`${h.url}/status`)).json()) as { tiers: { healthy: boolean }[] };
  expect(status.tiers[0].healthy).toBe(true);
}

/** The tool-call fixture with whitespace streamed as text before the calls (Qwen, DeepSeek and Gemini do). */
function withLeadingWhitespace(p: Provider): string {
  const sse = p.toolTurn(1);
  const out =
    p.protocol === 'openai'
      ? sse.replace('"delta":{"role":"assistant","content":null', '"delta":{"role":"assistant","content":"\\n\\n"')
      : sse.replace('{"text":"Let me look at the project files."}', '{"text":"\\n\\n"}');
  expect(out).not.toBe(sse);
  return out;
}

describe.each(BY_PROTOCOL)('switching back from $tier ($protocol)', (p) => {
  it('drops the whitespace-only text block a fallback streamed before its tool calls, which Anthropic refuses', async () => {
    const sse = withLeadingWhitespace(p);
    const { strict, h, client } = await setup(p, [TEXT_FIXTURE], [sse], true);
    const t1 = await turn(client, PROMPT);
    // What Claude Code got, and will send back: a text block of whitespace, then the calls.
    expect(t1.content.filter((b) => b.type === 'text')).toEqual([{ type: 'text', text: '\n\n' }]);
    const calls = p.calls(sse);
    expect(t1.content.filter((b) => b.type === 'tool_use').map((b) => b.id)).toEqual(calls.map((c) => c.id));

    await afterCooldown(h, strict);
    const t2 = await turn(client, [...PROMPT, echo(t1), results(calls)]);
    expect(t2.content).toEqual([{ type: 'text', text: expect.stringMatching(/^The build passes/) }]);
    expect(strict.verdicts).toEqual([{ status: 429 }, { status: 200 }]);
    const assistant = (strict.requests[1].json as { messages: { role: string; content: { type: string }[] }[] }).messages[1];
    expect(assistant.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
  });

  it('finishes on Claude a tool loop that Claude opened with thinking and the fallback continued after a 429', async () => {
    const { strict, fallback, h, client } = await setup(p, [THINKING_TOOL_FIXTURE, TEXT_FIXTURE, THINKING_FIXTURE], [p.toolTurn(2)], false);
    // Turn 1 on Claude: genuine thinking, then a Read call.
    const t1 = await turn(client, PROMPT);
    expect(t1.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    const [read] = anthropicCalls(THINKING_TOOL_FIXTURE);

    // Turn 2: Claude is rate limited; the fallback continues the loop with two calls.
    strict.limited = true;
    const history = [...PROMPT, echo(t1), results([read])];
    const t2 = await turn(client, history);
    expect(fallback.requests).toHaveLength(1);
    const calls = p.calls(p.toolTurn(2));
    expect(t2.content.filter((b) => b.type === 'tool_use').map((b) => b.id)).toEqual(calls.map((c) => c.id));

    // Turn 3 after the cooldown: Claude finishes the loop. Its own thinking block goes back as it
    // came; the fallback's turn has none, so the request goes without `thinking`.
    await afterCooldown(h, strict);
    history.push(echo(t2), results(calls));
    const t3 = await turn(client, history);
    expect(t3.content[0]).toMatchObject({ type: 'text' });
    const sent = strict.requests.at(-1)!.json as { thinking?: unknown; messages: { content: unknown }[] };
    expect(sent.thinking).toBeUndefined();
    expect(sent.messages[1].content).toEqual(t1.content);
    expect(strict.requests.at(-1)!.body.toString()).not.toContain('fallback-proxy');

    // Turn 4: a new prompt, thinking on again.
    history.push(echo(t3), { role: 'user', content: 'Thanks.' });
    const t4 = await turn(client, history);
    expect(t4.content[0]).toMatchObject({ type: 'thinking' });
    expect((strict.requests.at(-1)!.json as { thinking?: unknown }).thinking).toEqual(CLAUDE_CODE.thinking);

    expect(strict.verdicts.filter((v) => v.status !== 429)).toEqual([{ status: 200 }, { status: 200 }, { status: 200 }]);
    const switches = h.events().filter((e): e is SwitchEvent => e.kind === 'switch');
    expect(switches.map((s) => [s.from, s.to, s.reason])).toEqual([
      ['claude', p.tier, 'rate_limit'],
      [p.tier, 'claude', 'recovered'],
    ]);
  });
});

describe('tool call ids from OpenAI-compatible servers', () => {
  const p = BY_PROTOCOL[0];
  const plain = p.toolTurn(1).replace(/_t1"/g, '"'); // the fixture's own ids
  // Kimi K2 names its calls "functions.<name>:<index>", the same again every turn.
  let n = 0;
  const kimi = plain.replace(/"id":"call_[A-Za-z0-9]+"/g, () => `"id":"functions.${['Read', 'Bash'][n]}:${n++}"`);

  it('become tool_use ids Anthropic takes: kept when valid and new, replaced when malformed or already used', async () => {
    expect(p.calls(kimi).map((c) => c.id)).toEqual(['functions.Read:0', 'functions.Bash:1']);
    const { strict, fallback, h, client } = await setup(p, [TEXT_FIXTURE], [kimi, plain, plain], true);
    const ids = (m: Anthropic.Message) => m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => b.id);
    const inputs = (m: Anthropic.Message) =>
      m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => b.input);

    const t1 = await turn(client, PROMPT);
    expect(inputs(t1)).toEqual(p.calls(kimi).map((c) => c.input));
    for (const id of ids(t1)) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    const history = [...PROMPT, echo(t1), results(ids(t1).map((id, i) => ({ id, name: p.calls(kimi)[i].name, input: null })))];

    const t2 = await turn(client, history);
    expect(ids(t2)).toEqual(p.calls(plain).map((c) => c.id));
    // The next request carries the ids Claude Code knows, each call answered by its tool message.
    const messages = (fallback.requests[1].json as { messages: { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[] })
      .messages;
    expect(messages.filter((m) => m.tool_calls).flatMap((m) => m.tool_calls!.map((c) => c.id))).toEqual(ids(t1));
    expect(messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(ids(t1));
    history.push(echo(t2), results(p.calls(plain)));

    // The server repeats the ids of turn 2: Claude Code must get new ones.
    const t3 = await turn(client, history);
    expect(inputs(t3)).toEqual(p.calls(plain).map((c) => c.input));
    expect(new Set([...ids(t1), ...ids(t2), ...ids(t3)]).size).toBe(6);
    history.push(echo(t3), results(ids(t3).map((id, i) => ({ id, name: p.calls(plain)[i].name, input: null }))));

    await afterCooldown(h, strict);
    await turn(client, history);
    expect(strict.verdicts.filter((v) => v.status !== 429)).toEqual([{ status: 200 }]);
  });
});

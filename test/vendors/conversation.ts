// A Claude Code conversation driven through the proxy with the official SDK: the captured first turn of
// Claude Code 2.1.332 (thinking on), each answer echoed back as Claude Code does, tool results after it.

import Anthropic from '@anthropic-ai/sdk';
import { fixture } from '../helpers/fake-upstream.ts';

const CAPTURED = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as {
  headers: Record<string, string>;
  body: Anthropic.MessageCreateParamsStreaming;
}[];
// The captured claude-sonnet-4-5 makes the SDK print a deprecation notice.
const { messages: PROMPT_MESSAGES, ...REQUEST } = { ...CAPTURED[0].body, model: 'claude-sonnet-4-6' };
export const PROMPT = PROMPT_MESSAGES;
export const CLAUDE_CODE = REQUEST;
export const BETA = CAPTURED[0].headers['anthropic-beta'];

export type Conversation = {
  client: Anthropic;
  history: Anthropic.MessageParam[];
  /** Sends the history as Claude Code would (streaming) and appends the answer to it. */
  turn(overrides?: Partial<Anthropic.MessageCreateParamsStreaming>): Promise<Anthropic.Message>;
  /** Answers every tool_use of the last answer (content per call, default "output of <name>"). */
  answerTools(content?: (call: Anthropic.ToolUseBlock) => string | Anthropic.ToolResultBlockParam['content']): void;
  say(text: string): void;
};

export function conversation(url: string, start: Anthropic.MessageParam[] = PROMPT): Conversation {
  const client = new Anthropic({ apiKey: 'sk-ant-client-key', baseURL: url, maxRetries: 0 });
  const history = [...start];
  let last: Anthropic.Message | undefined;
  return {
    client,
    history,
    async turn(overrides = {}) {
      const body = { ...CLAUDE_CODE, messages: history, ...overrides } as Anthropic.MessageCreateParamsStreaming;
      last = await client.messages.stream(body, { headers: { 'anthropic-beta': BETA } }).finalMessage();
      history.push({ role: 'assistant', content: last.content as Anthropic.ContentBlockParam[] });
      return last;
    },
    answerTools(content = (c) => `output of ${c.name}`) {
      const calls = (last?.content ?? []).filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      history.push({ role: 'user', content: calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: content(c) })) });
    },
    say(text) {
      history.push({ role: 'user', content: text });
    },
  };
}

/** A status error from the SDK as a value, so a test can say what Claude Code would have seen. */
export async function outcome<T>(p: Promise<T>): Promise<T | { error: number; message: string }> {
  try {
    return await p;
  } catch (err) {
    const e = err as { status?: number; message?: string };
    return { error: e.status ?? 0, message: e.message ?? String(err) };
  }
}

/** The text an answer (or an outcome) carries, its text blocks joined; thinking and tool calls left out. */
export function textOf(m: unknown): string | undefined {
  const content = (m as { content?: { type: string; text?: string }[] }).content;
  return content
    ?.filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

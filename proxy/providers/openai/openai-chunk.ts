// Checks one parsed chunk of a Chat Completions stream before the converter reads it as an OpenAIChunk
// (https://platform.openai.com/docs/api-reference/chat-streaming): the containers the converter walks
// (choices, delta, tool_calls, usage, error) must be what the reference says. A chunk that is not is
// skipped with a warning, rather than read as something it is not; a whole answer that is not is an
// upstream failure (openAIResponseProblem).

import type { Warn } from '../provider.ts';
import { isObject, optArrayOf, optObject, optString } from '../shape.ts';
import type { OpenAIChunk } from './openai-types.ts';

export function openAIChunkOf(value: unknown, warn: Warn): OpenAIChunk | null {
  const problem = chunkProblem(value);
  if (problem === null) return value as OpenAIChunk;
  warn(`skipped a stream chunk ${problem}`);
  return null;
}

/** A whole chat.completion answer, checked the same way: the problem, or null when it has the reference's shape. */
export function openAIResponseProblem(r: unknown): string | null {
  if (!isObject(r)) return 'that is not an object';
  if (r.error !== undefined && !isObject(r.error)) return 'whose error is not an object';
  if (!optObject(r.usage)) return 'whose usage is not an object';
  if (!optArrayOf(r.choices, isObject)) return 'whose choices are not a list of objects';
  for (const choice of (r.choices ?? []) as Record<string, unknown>[]) {
    if (!optString(choice.finish_reason)) return 'whose finish_reason is not a string';
    if (!optObject(choice.message)) return 'whose message is not an object';
    const m = (choice.message ?? {}) as Record<string, unknown>;
    for (const key of ['content', 'refusal', 'reasoning_content', 'reasoning'])
      if (!optString(m[key])) return `whose message.${key} is not a string`;
    if (!optArrayOf(m.tool_calls, (c) => isObject(c) && optString(c.id) && optObject(c.function)))
      return 'whose tool_calls are not a list of tool calls';
  }
  return null;
}

function chunkProblem(c: unknown): string | null {
  if (!isObject(c)) return 'that is not an object';
  if (c.error !== undefined && !isObject(c.error)) return 'whose error is not an object';
  if (!optObject(c.usage)) return 'whose usage is not an object';
  if (!optObject(c.x_groq) || (isObject(c.x_groq) && !optObject(c.x_groq.usage))) return 'whose x_groq.usage is not an object';
  if (!optArrayOf(c.choices, isObject)) return 'whose choices are not a list of objects';
  for (const choice of (c.choices ?? []) as Record<string, unknown>[]) {
    if (!optString(choice.finish_reason)) return 'whose finish_reason is not a string';
    if (!optObject(choice.delta)) return 'whose delta is not an object';
    const delta = (choice.delta ?? {}) as Record<string, unknown>;
    for (const key of ['content', 'refusal', 'reasoning_content', 'reasoning'])
      if (!optString(delta[key])) return `whose delta.${key} is not a string`;
    if (!optArrayOf(delta.tool_calls, isToolCallDelta)) return 'whose tool_calls are not a list of tool-call deltas';
  }
  return null;
}

function isToolCallDelta(d: unknown): boolean {
  if (!isObject(d)) return false;
  if (d.index !== undefined && typeof d.index !== 'number') return false;
  if (!optString(d.id)) return false;
  if (!optObject(d.function)) return false;
  const f = (d.function ?? {}) as Record<string, unknown>;
  return optString(f.name) && optString(f.arguments);
}

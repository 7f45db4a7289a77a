// Checks one parsed event of an upstream Anthropic stream (Anthropic itself or a compatible vendor)
// before anything reads it as a StreamEvent: the upstream is not trusted to send the shapes its docs
// give (https://docs.anthropic.com/en/api/messages-streaming). A value of the wrong shape is null and
// a warning; an event type this proxy does not know (Anthropic may add some) is null without one. A
// whole Message is checked by anthropicMessageProblem.

import type { StreamEvent } from '../../wire/types.ts';
import type { Warn } from '../provider.ts';

const KNOWN = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** `value` as a StreamEvent when it has that event type's shape, else null (with a warning when it is malformed). */
export function anthropicEventOf(value: unknown, warn: Warn): StreamEvent | null {
  if (value instanceof Error) return bad(warn, `an event that is not JSON (${value.message})`);
  if (!isObject(value) || typeof value.type !== 'string') return bad(warn, 'an event without a type');
  if (!KNOWN.has(value.type)) return null;
  const problem = shapeProblem(value);
  if (problem !== null) return bad(warn, `a ${value.type} event ${problem}`);
  if (value.type === 'error') {
    // The type is passed on as Anthropic's error type; message may be missing from a vendor's.
    const error = value.error as Record<string, unknown>;
    return {
      type: 'error',
      error: { type: error.type as never, message: typeof error.message === 'string' ? error.message : 'upstream stream error' },
    };
  }
  return value as StreamEvent;
}

/** What is wrong with a whole Message answer (a vendor's non-streaming reply), or null. */
export function anthropicMessageProblem(m: unknown): string | null {
  if (!isObject(m)) return 'that is not an object';
  if (m.type !== 'message') return 'that is not a message';
  if (!Array.isArray(m.content) || !m.content.every((b) => isObject(b) && typeof b.type === 'string'))
    return 'whose content is not a list of blocks';
  return usageProblem(m.usage);
}

/** What is wrong with an event of a known type, or null. Only the fields the proxy reads are checked. */
function shapeProblem(e: Record<string, unknown>): string | null {
  switch (e.type) {
    case 'message_start':
      return isObject(e.message) ? usageProblem(e.message.usage) : 'without a message';
    case 'content_block_start':
      if (!isIndex(e.index)) return 'without an index';
      return isObject(e.content_block) && typeof e.content_block.type === 'string' ? null : 'without a content_block type';
    case 'content_block_delta':
      if (!isIndex(e.index)) return 'without an index';
      return isObject(e.delta) && typeof e.delta.type === 'string' ? null : 'without a delta type';
    case 'content_block_stop':
      return isIndex(e.index) ? null : 'without an index';
    case 'message_delta':
      return isObject(e.delta) ? usageProblem(e.usage) : 'without a delta';
    case 'error':
      return isObject(e.error) && typeof e.error.type === 'string' ? null : 'without an error type';
    default:
      return null;
  }
}

function usageProblem(usage: unknown): string | null {
  if (usage === undefined || usage === null) return null;
  if (!isObject(usage)) return 'whose usage is not an object';
  for (const [k, v] of Object.entries(usage))
    if (/_tokens$/.test(k) && v !== null && typeof v !== 'number') return `whose usage.${k} is not a number`;
  return null;
}

function bad(warn: Warn, what: string): null {
  warn(`skipped ${what}`);
  return null;
}

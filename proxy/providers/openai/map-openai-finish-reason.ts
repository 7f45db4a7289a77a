// OpenAI finish_reason → Anthropic stop_reason (docs/protocols.md §4.3). Streamed tool calls mean
// tool_use whatever the reason says, except `length`: a cut-off call is reported as max_tokens.

import type { StopReason } from '../../wire/types.ts';

export function mapOpenAIFinishReason(reason: string | null | undefined, hadToolCalls: boolean): StopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'stop':
      return hadToolCalls ? 'tool_use' : 'end_turn';
    default:
      // Unknown or missing reasons (servers differ): a safe, ordinary end.
      return hadToolCalls ? 'tool_use' : 'end_turn';
  }
}

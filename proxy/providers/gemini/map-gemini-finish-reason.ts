// Gemini finishReason / promptFeedback.blockReason → Anthropic stop_reason, or an error when Anthropic
// has no equivalent (docs/protocols.md §4.3). Values: js-genai src/types.ts `FinishReason`.

import type { StopReason } from '../../wire/types.ts';

export type GeminiFinish = { kind: 'stop'; stopReason: StopReason } | { kind: 'error'; message: string };

/** `hasFunctionCalls`: Gemini says STOP even when it called functions; Anthropic says tool_use. */
export function mapGeminiFinishReason(reason: string, hasFunctionCalls: boolean): GeminiFinish {
  switch (reason) {
    case 'STOP':
      return { kind: 'stop', stopReason: hasFunctionCalls ? 'tool_use' : 'end_turn' };
    case 'MAX_TOKENS':
      return { kind: 'stop', stopReason: 'max_tokens' };
    case 'SAFETY':
    case 'RECITATION':
    case 'LANGUAGE':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return { kind: 'stop', stopReason: 'refusal' };
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
    case 'TOO_MANY_TOOL_CALLS':
    case 'OTHER':
    case 'IMAGE_OTHER':
    case 'NO_IMAGE':
    case 'FINISH_REASON_UNSPECIFIED':
      return { kind: 'error', message: `Gemini stopped with ${reason}` };
    default:
      // A reason newer than this list: the answer so far is kept, as for STOP.
      return { kind: 'stop', stopReason: hasFunctionCalls ? 'tool_use' : 'end_turn' };
  }
}

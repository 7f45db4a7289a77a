// A local estimate for /v1/messages/count_tokens while the active tier has no count endpoint.
// About 4 characters a token for English prose and code (Claude's tokenizer is close to that, and
// it errs on the high side for JSON), plus Anthropic's documented image cost (w·h/750, ≤ ~1,600).

import type { ContentBlockParam, MessagesRequest } from './types.ts';
import { systemText } from './request-parts.ts';

const CHARS_PER_TOKEN = 4;
const IMAGE_TOKENS = 1600;
const PER_MESSAGE = 4;

export function estimateInputTokens(req: MessagesRequest): number {
  let chars = systemText(req.system).length;
  let tokens = 0;
  for (const m of req.messages ?? []) {
    tokens += PER_MESSAGE;
    if (typeof m.content === 'string') chars += m.content.length;
    else for (const b of m.content) [chars, tokens] = addBlock(b, chars, tokens);
  }
  for (const tool of req.tools ?? [])
    chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.input_schema ?? {}).length;
  return tokens + Math.ceil(chars / CHARS_PER_TOKEN);
}

function addBlock(b: ContentBlockParam, chars: number, tokens: number): [number, number] {
  switch (b.type) {
    case 'text':
      return [chars + b.text.length, tokens];
    case 'image':
      return [chars, tokens + IMAGE_TOKENS];
    case 'document':
      // A PDF page costs roughly what its text and one page image cost; count its bytes as text.
      return [chars + ('data' in b.source && typeof b.source.data === 'string' ? Math.round(b.source.data.length * 0.75) : 0), tokens];
    case 'tool_use':
      return [chars + b.name.length + JSON.stringify(b.input ?? {}).length, tokens];
    case 'tool_result': {
      if (typeof b.content === 'string') return [chars + b.content.length, tokens];
      let c = chars;
      let t = tokens;
      for (const inner of b.content ?? []) [c, t] = addBlock(inner, c, t);
      return [c, t];
    }
    case 'thinking':
      return [chars + b.thinking.length, tokens];
    default:
      return [chars, tokens];
  }
}

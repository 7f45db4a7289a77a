// Small readers of an Anthropic request that every translator needs, so each provider states only
// what differs: the system prompt as text, tool_result content, Claude Code's model family.

import type { ContentBlockParam, MessagesRequest, TextBlockParam, Tool } from './types.ts';

/** The system prompt as one string (blocks joined by a blank line); cache_control dropped. */
export function systemText(system: MessagesRequest['system']): string {
  if (system === undefined) return '';
  if (typeof system === 'string') return system;
  return system
    .map((b: TextBlockParam) => b.text)
    .filter((t) => t !== '')
    .join('\n\n');
}

/** A tool_result's content as blocks (a string becomes one text block). */
export function toolResultBlocks(content: string | ContentBlockParam[] | undefined): ContentBlockParam[] {
  if (content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content;
}

/** Claude Code's model family from a Claude model name (`claude-sonnet-4-5` → sonnet). */
export function modelFamily(model: string): 'opus' | 'sonnet' | 'haiku' | undefined {
  const m = /\b(opus|sonnet|haiku)\b/i.exec(model.replace(/[-_.]/g, ' '));
  return m ? (m[1].toLowerCase() as 'opus' | 'sonnet' | 'haiku') : undefined;
}

/** Tools loaded lazily by Anthropic's tool search (`defer_loading: true`) have no real schema to send. */
export function isDeferredTool(tool: Tool): boolean {
  return tool.defer_loading === true;
}

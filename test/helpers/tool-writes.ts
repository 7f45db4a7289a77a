// The turns Claude Code sends after a model called its Write tool: the assistant's tool_use blocks, then the user's
// tool_result blocks (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use), so the proxy
// records that the model answering wrote those files (proxy/git/edits.ts), as it does for a real session.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';

/** For files (relative to `repo`) the test has written: returns the two turns that report the Write calls done. */
export function writeTurns(repo: string, paths: readonly string[]): Anthropic.MessageParam[] {
  if (paths.length === 0) return [];
  const ids = paths.map(() => `toolu_01${randomBytes(8).toString('hex')}`);
  return [
    {
      role: 'assistant',
      content: paths.map((p, i) => ({
        type: 'tool_use' as const,
        id: ids[i],
        name: 'Write',
        input: { file_path: join(repo, p), content: '' },
      })),
    },
    {
      role: 'user',
      content: ids.map((id) => ({ type: 'tool_result' as const, tool_use_id: id, content: 'File created successfully' })),
    },
  ];
}

// Writes attribution notes as the format says (docs/git.md, "Line attribution notes"), for tests: the ranges given by
// line numbers of the file in that commit, each range's content_hash computed from the committed lines.

import { createHash } from 'node:crypto';
import { git } from '../../proxy/git/git.ts';

export type Who = { type: 'ai' | 'mixed'; tier: string; model_id?: string } | { type: 'human' };
export type Ranges = Record<string, [number, number, Who][]>;

export async function writeNote(repo: string, commit: string, files: Ranges): Promise<void> {
  const sha = (await git(repo, ['rev-parse', commit])).stdout.trim();
  const out = [];
  for (const [path, ranges] of Object.entries(files)) {
    const lines = (await git(repo, ['show', `${sha}:${path}`])).stdout.replace(/\n$/, '').split('\n');
    out.push({
      path,
      ranges: ranges.map(([start, end, who]) => ({
        start_line: start,
        end_line: end,
        contributor: who,
        content_hash: `sha256:${createHash('sha256')
          .update(lines.slice(start - 1, end).join('\n'))
          .digest('hex')}`,
      })),
    });
  }
  const note = JSON.stringify({ version: 'claude-fallback/1', commit: sha, files: out }) + '\n';
  await git(repo, ['notes', '--ref=claude-fallback', 'add', '-f', '-F', '-', sha], { input: note });
}

export async function commitAll(repo: string, message: string): Promise<string> {
  await git(repo, ['add', '-A']);
  await git(repo, ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', message]);
  return (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
}

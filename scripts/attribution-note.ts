// The note writer the hooks start in the background (docs/git.md, "Line attribution notes"):
//   attribution-note commit <sha> [--pick <source sha>]   after a commit (post-commit)
//   attribution-note rewrite <amend|rebase> <file>       after a rewrite (post-rewrite); <file> holds git's "old new" lines
// Started through scripts/attribution-note.mjs (plain node: dist/ or tsx). Run in the repository's work tree; errors go to stderr (the hooks send it to <git common dir>/fallback-notes/log).

import { readFileSync, rmSync } from 'node:fs';
import { writeNoteFor } from '../proxy/attribution/note-writer.ts';

/** Groups git's "old new" lines by new commit, olds in the order git gave them. */
export function rewritePairs(text: string): Map<string, string[]> {
  const olds = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [oldSha, newSha] = line.trim().split(/\s+/);
    if (!oldSha || !newSha) continue;
    olds.set(newSha, [...(olds.get(newSha) ?? []), oldSha]);
  }
  return olds;
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'commit' && rest[0]) {
    const pick = rest[1] === '--pick' && rest[2] ? [rest[2]] : [];
    // Not a proxy's session, not a pick: the lines may still come from a squash of noted commits.
    await writeNoteFor(cwd, rest[0], { sources: pick, implicitSources: true });
    return 0;
  }
  if (what === 'rewrite' && (rest[0] === 'amend' || rest[0] === 'rebase') && rest[1]) {
    let text = '';
    try {
      text = readFileSync(rest[1], 'utf8');
    } finally {
      rmSync(rest[1], { force: true });
    }
    let failed = 0;
    for (const [newSha, olds] of rewritePairs(text)) {
      try {
        // The old commits' notes hold the lines (newest first); an amend goes on from the old commit's snapshots.
        await writeNoteFor(cwd, newSha, rest[0] === 'amend' && olds.length === 1 ? { base: olds[0] } : { sources: [...olds].reverse() });
      } catch (err) {
        failed++;
        process.stderr.write(`attribution-note: ${newSha}: ${(err as Error).message}\n`);
      }
    }
    return failed > 0 ? 1 : 0;
  }
  process.stderr.write('usage: attribution-note commit <sha> [--pick <sha>] | rewrite <amend|rebase> <file>\n');
  return 2;
}

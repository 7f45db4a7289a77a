// The test's own reader of the attribution notes (refs/notes/claude-fallback, the shared format of issue 22,
// docs/git.md): `git blame --line-porcelain` names the commit and line that added each line, that commit's note
// names who wrote it ("lines nobody recorded are the person's"). Written from the format alone, with no code of
// the project's, so that no expectation comes from the code under test; it also checks each note against the
// format (its commit, its version, each range's content_hash, ranges covering exactly the commit's added lines).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export const NOTES_REF = 'claude-fallback';

export type Contributor = { type: 'ai' | 'human' | 'mixed'; tier?: string; model_id?: string };
export type Range = { start_line: number; end_line: number; contributor: Contributor; content_hash: string };
export type Note = { version: string; commit: string; files: { path: string; ranges: Range[] }[] };

const run = (dir: string, args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** The note on `commit` in the notes ref, parsed; null when there is none (or it is not this format's). */
export function noteOf(dir: string, commit: string): Note | null {
  let text: string;
  try {
    text = execFileSync('git', ['-C', dir, 'notes', `--ref=${NOTES_REF}`, 'show', commit], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
  try {
    const note = JSON.parse(text) as Note;
    return note.version === 'claude-fallback/1' ? note : null;
  } catch {
    return null;
  }
}

/** "claude", "deepseek" (an `ai` range's tier), "mixed:<tier>", or "human" for each line of `path` at `rev`. */
export function blameFromNotes(dir: string, rev: string, path: string): { line: string; by: string; commit: string }[] {
  const out: { line: string; by: string; commit: string }[] = [];
  const lines = run(dir, ['blame', '--line-porcelain', rev, '--', path]).split('\n');
  let header: { commit: string; orig: number } | null = null;
  let file = path;
  const notes = new Map<string, Note | null>();
  for (const l of lines) {
    const h = /^([0-9a-f]{40}) (\d+) (\d+)/.exec(l);
    if (h && !header) {
      header = { commit: h[1], orig: Number(h[2]) };
      continue;
    }
    if (!header) continue;
    if (l.startsWith('filename ')) file = l.slice('filename '.length);
    if (!l.startsWith('\t')) continue;
    if (!notes.has(header.commit)) notes.set(header.commit, noteOf(dir, header.commit));
    const note = notes.get(header.commit);
    const range = note?.files.find((f) => f.path === file)?.ranges.find((r) => r.start_line <= header!.orig && header!.orig <= r.end_line);
    const c = range?.contributor;
    const by = !c || c.type === 'human' ? 'human' : c.type === 'mixed' ? `mixed:${c.tier}` : String(c.tier);
    out.push({ line: l.slice(1), by, commit: header.commit });
    header = null;
  }
  return out;
}

/** The lines `commit` added or changed in `path` relative to its first parent (every line for a root commit). */
export function addedLines(dir: string, commit: string, path: string): number[] {
  const parents = run(dir, ['rev-list', '--parents', '-n', '1', commit]).trim().split(' ').slice(1);
  const diff = parents.length
    ? run(dir, ['diff', '-U0', '--no-color', '--no-ext-diff', parents[0], commit, '--', path])
    : run(dir, ['show', '-U0', '--no-color', '--no-ext-diff', '--format=', commit, '--', path]);
  const added: number[] = [];
  for (const m of diff.matchAll(/^@@ -\S+ \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    for (let i = 0; i < count; i++) added.push(start + i);
  }
  return added;
}

/** What is wrong with `commit`'s note against the format (an empty list when nothing is). */
export function noteProblems(dir: string, commit: string): string[] {
  const note = noteOf(dir, commit);
  if (!note) return [];
  const problems: string[] = [];
  const full = run(dir, ['rev-parse', commit]).trim();
  if (note.commit !== full) problems.push(`note on ${full} names commit ${note.commit}`);
  for (const f of note.files) {
    const content = run(dir, ['show', `${full}:${f.path}`]).split('\n');
    const covered: number[] = [];
    for (const r of f.ranges) {
      for (let i = r.start_line; i <= r.end_line; i++) covered.push(i);
      const hash =
        'sha256:' +
        createHash('sha256')
          .update(content.slice(r.start_line - 1, r.end_line).join('\n'))
          .digest('hex');
      if (r.content_hash !== hash)
        problems.push(`${f.path} ${r.start_line}-${r.end_line}: content_hash ${r.content_hash}, the lines hash to ${hash}`);
    }
    const sortedRanges = [...f.ranges].sort((a, b) => a.start_line - b.start_line);
    for (const [i, r] of sortedRanges.entries()) {
      const prev = sortedRanges[i - 1];
      if (prev && prev.end_line + 1 === r.start_line && JSON.stringify(prev.contributor) === JSON.stringify(r.contributor))
        problems.push(
          `${f.path}: ranges ${prev.start_line}-${prev.end_line} and ${r.start_line}-${r.end_line} have one contributor and touch`,
        );
    }
    const added = addedLines(dir, full, f.path);
    const sorted = [...covered].sort((a, b) => a - b);
    if (JSON.stringify(sorted) !== JSON.stringify(added))
      problems.push(`${f.path}: ranges cover lines ${JSON.stringify(sorted)}, the commit added ${JSON.stringify(added)}`);
  }
  return problems;
}

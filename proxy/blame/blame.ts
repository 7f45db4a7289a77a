// `git blame` with each line's model: git names the commit that added the line and the line's number and path in
// that commit (`--porcelain`); that commit's note says who wrote that line there (proxy/attribution/note-format.ts).
// Lines of commits without a note, and lines no range covers, are the person's; lines not committed yet are shown
// as such.

import { git, unquotePath } from '../git/git.ts';
import { contributorAt, type Contributor, type Note } from '../attribution/note-format.ts';
import { readNotes } from '../attribution/read.ts';

export type BlameContributor = Contributor | { type: 'uncommitted' };

export type BlameLine = {
  /** 1-based, in the file as blamed. */
  line: number;
  /** The commit that added the line (null: not committed yet). */
  commit: string | null;
  /** Its number and path in that commit, which its note speaks of. */
  orig_line: number;
  orig_path: string;
  contributor: BlameContributor;
  content: string;
};

export type BlameEntry = { sha: string; origLine: number; finalLine: number; path: string; content: string };

const ZERO = /^0+$/;

/** Parses `git blame --porcelain` (git's blame(1) "THE PORCELAIN FORMAT"): a header per line, details once per commit. */
export function parsePorcelain(text: string): BlameEntry[] {
  const out: BlameEntry[] = [];
  const pathOf = new Map<string, string>();
  let sha = '';
  let orig = 0;
  let final = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) {
      out.push({ sha, origLine: orig, finalLine: final, path: pathOf.get(sha) ?? '', content: line.slice(1) });
      continue;
    }
    const header = /^([0-9a-f]{40,64}) (\d+) (\d+)(?: \d+)?$/.exec(line);
    if (header) {
      [sha, orig, final] = [header[1], Number(header[2]), Number(header[3])];
    } else if (line.startsWith('filename ')) {
      pathOf.set(sha, unquotePath(line.slice('filename '.length)));
    }
  }
  return out;
}

export type BlameOptions = {
  rev?: string;
  /** The notes already read (all those that matter), instead of reading them for this file. */
  notes?: Map<string, Note>;
};

/** Blames `file` (a path git takes: relative to `cwd`) at `rev`, or in the work tree without one. */
export async function blameFile(cwd: string, file: string, opts: BlameOptions = {}): Promise<BlameLine[]> {
  const r = await git(cwd, ['-c', 'core.quotePath=false', 'blame', '--porcelain', ...(opts.rev ? [opts.rev] : []), '--', file], {
    reject: false,
  });
  if (r.exitCode !== 0) throw new BlameError(r.stderr.trim().split('\n')[0] || `git blame exit ${r.exitCode}`);
  const entries = parsePorcelain(r.stdout);
  const notes =
    opts.notes ??
    (await readNotes(
      cwd,
      entries.filter((e) => !ZERO.test(e.sha)).map((e) => e.sha),
    ));
  return entries.map((e) => attribute(e, notes));
}

export function attribute(e: BlameEntry, notes: Map<string, Note>): BlameLine {
  const committed = !ZERO.test(e.sha);
  return {
    line: e.finalLine,
    commit: committed ? e.sha : null,
    orig_line: e.origLine,
    orig_path: e.path,
    contributor: committed ? contributorAt(notes.get(e.sha), e.path, e.origLine) : { type: 'uncommitted' },
    content: e.content,
  };
}

export class BlameError extends Error {
  override name = 'BlameError';
}

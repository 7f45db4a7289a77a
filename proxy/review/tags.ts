// Run tags, `<prefix><tier>-<YYYYMMDD-HHMMSS-mmm>` and their `accepted-`/`rolledback-` renames: parse, list, rename.
// The names themselves are proxy/git/run-tag.ts's, shared with the hooks' auto-commit side.

import { git, type GitResult } from '../git/git.ts';
import { parseRunTag, tagName, type TagState } from '../git/run-tag.ts';

export { parseRunTag, stampOf, type TagState } from '../git/run-tag.ts';

export type RunTag = {
  name: string;
  state: TagState;
  tier: string;
  /** The run's start, `YYYYMMDD-HHMMSS-mmm` (UTC; older tags without `-mmm`), plus `.N` when a rename had to avoid a clash. */
  stamp: string;
  /** The run's start in ms since the epoch. */
  time: number;
  /** The commit the tag points at (peeled for annotated tags). */
  commit: string;
  /** The ref's own value (the tag object for annotated tags), what a rename must carry over. */
  object: string;
};

/** Starts listing every tag with its object and peeled commit; `parseRunTags` keeps ours. */
export function listTags(repo: string): Promise<GitResult> {
  return git(repo, ['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)', 'refs/tags']);
}

export function parseRunTags(text: string, prefix: string): RunTag[] {
  const out: RunTag[] = [];
  // Tag names cannot hold a newline, so lines are records here.
  for (const line of text.split('\n')) {
    const [name, object, peeled] = line.split('\0');
    if (!name || !object) continue;
    const tag = parseRunTag(name, prefix);
    if (tag) out.push({ ...tag, object, commit: peeled || object });
  }
  return out;
}

export type Rename = { from: string; to: string; commit: string };

export type TagOp = { name: string; object: string; op: 'set'; old?: string } | { name: string; object: string; op: 'delete' };

/**
 * Plans `from` → `<state>-<tier>-<stamp>` for each tag. A name that exists already is moved when its
 * commit is an ancestor of the new one (a run accepted, then continued under the same stamp);
 * otherwise the new tag takes the next free `.N` suffix, so nothing that was accepted gets lost.
 */
export function planRenames(
  tags: readonly RunTag[],
  existing: readonly RunTag[],
  state: TagState,
  prefix: string,
  isAncestor: (ancestor: string, of: string) => boolean,
): { ops: TagOp[]; renames: Rename[] } {
  const taken = new Map(existing.map((t) => [t.name, t]));
  const ops: TagOp[] = [];
  const renames: Rename[] = [];
  for (const t of tags) {
    const base = tagName(state, prefix, t.tier, t.stamp.replace(/\.\d+$/, ''));
    let name = base;
    let old = taken.get(name);
    for (let n = 2; old && !isAncestor(old.commit, t.commit); n++) {
      name = `${base}.${n}`;
      old = taken.get(name);
    }
    // One transaction may not touch a ref twice: a name this plan already set is set to the newer commit.
    const earlier = ops.find((o) => o.op === 'set' && o.name === name);
    if (earlier) earlier.object = t.object;
    else ops.push({ op: 'set', name, object: t.object, old: old?.object });
    ops.push({ op: 'delete', name: t.name, object: t.object });
    taken.set(name, { ...t, name, state });
    taken.delete(t.name);
    renames.push({ from: t.name, to: name, commit: t.commit });
  }
  return { ops, renames };
}

/** Applies tag changes in one `update-ref --stdin` transaction: all or nothing. */
export async function updateTags(repo: string, ops: readonly TagOp[]): Promise<void> {
  if (ops.length === 0) return;
  const lines = ops.map((o) =>
    o.op === 'delete'
      ? `delete refs/tags/${o.name} ${o.object}`
      : o.old
        ? `update refs/tags/${o.name} ${o.object} ${o.old}`
        : `create refs/tags/${o.name} ${o.object}`,
  );
  await git(repo, ['update-ref', '--stdin'], { input: lines.join('\n') + '\n' });
}

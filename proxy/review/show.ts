// `--show <tier>`: the tier's pending commits (or all of them) with their diffs, newest first.

import { git } from '../git/git.ts';
import type { RepoState } from './repo-state.ts';
import type { Status } from './status.ts';

export type ShownCommit = { sha: string; date: string; subject: string; status: Status; diff: string };

/** The tier's commits that HEAD reaches: pending ones, or every one with `all`. Newest first. */
export function commitsToShow(state: RepoState, tier: string, all: boolean) {
  return state.commits.filter(
    (c) => c.models.includes(tier) && state.graph.fromHead.has(c.sha) && (all || state.statuses.get(c.sha) === 'pending'),
  );
}

const RS = '\x1e';

// With `header`, each text starts with author, date and the indented message, as `git log` shows them.
const HEADER = '%nAuthor: %an <%ae>%nDate:   %cI%n%n%w(0,4,4)%B';

/** Each commit's `--stat --patch`, split on a record separator; shas go in on stdin (no argv limit). */
export async function commitDiffs(
  repo: string,
  shas: readonly string[],
  opts: { color: boolean; header: boolean },
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (shas.length === 0) return out;
  const r = await git(
    repo,
    [
      'log',
      '--no-walk=unsorted',
      '--stdin',
      `--color=${opts.color ? 'always' : 'never'}`,
      '--stat',
      '--patch',
      `--format=${RS}%H${opts.header ? HEADER : ''}`,
    ],
    { input: shas.join('\n') + '\n' },
  );
  for (const record of r.stdout.split(RS)) {
    if (record === '') continue;
    const nl = record.indexOf('\n');
    const sha = (nl < 0 ? record : record.slice(0, nl)).trim();
    const body = nl < 0 ? '' : record.slice(nl + 1);
    // Without a message git still separates the (empty) message from the stat with `---`.
    out.set(sha, opts.header ? body : body.replace(/^\n*---\n/, ''));
  }
  return out;
}

/** `diff` holds the stat and patch; with `header` (text output) also author, date and message first. */
export async function show(
  state: RepoState,
  tier: string,
  opts: { all: boolean; color: boolean; header: boolean },
): Promise<ShownCommit[]> {
  const commits = commitsToShow(state, tier, opts.all);
  const diffs = await commitDiffs(
    state.repo,
    commits.map((c) => c.sha),
    opts,
  );
  return commits.map((c) => ({
    sha: c.sha,
    date: c.date,
    subject: c.subject,
    status: state.statuses.get(c.sha) ?? 'pending',
    diff: diffs.get(c.sha) ?? '',
  }));
}

// The history view: the last N commits reachable from HEAD with their model, status, run tags and
// auto-commit mark. It asks git for those N commits only (plus, when an accepted tag sits outside them,
// the few commits between that tag and them), and reads statuses with the review's own rules
// (proxy/review/status.ts) on that part of the graph.
//
// Why the part is enough: the N commits come in topological order, so every descendant of one of them
// that HEAD reaches is among them. A commit is accepted when an accepted tag of its model reaches it; a tag
// on a commit HEAD reaches but older than the N cannot reach them, a tag among them reaches them through
// them, and a tag elsewhere (another branch) reaches them only through commits that the walk
// `<those tags> --not <the parents just below the N>` lists. Rolled back: a rollback commit is made on top
// of what it reverts, so it is among the N whenever what it reverts is.

import { git } from '../git/git.ts';
import { historyArgs, parseHistory, trailerValue, type Commit } from '../review/history.ts';
import { buildGraph, commitStatuses, type Status } from '../review/status.ts';
import { listTags, parseRunTags, type RunTag } from '../review/tags.ts';

export type RecentCommit = {
  sha: string;
  parents: string[];
  date: string;
  subject: string;
  model: string | null;
  /** null for commits without a model. */
  status: Status | null;
  /** Run tags on this commit (`model-…`, `accepted-…`, `rolledback-…`). */
  tags: { name: string; state: RunTag['state']; tier: string }[];
  /** `Model-Switch: <from> -> <to>` of an auto-commit at a switch. */
  auto_commit: string | null;
  /** `Model-Rollback: <tier>` of a rollback commit. */
  rollback_of: string | null;
  files: number;
  added: number;
  removed: number;
};

export type RecentHistory = { head: string | null; limit: number; commits: RecentCommit[]; more: boolean };

export async function recentCommits(repo: string, tagPrefix: string, limit: number): Promise<RecentHistory> {
  const [headR, logR, tagR] = await Promise.all([
    git(repo, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { reject: false }),
    // One more than shown, to know whether there is more.
    git(repo, historyArgs(['-n', String(limit + 1), 'HEAD']), { reject: false }),
    listTags(repo),
  ]);
  if (headR.exitCode !== 0) return { head: null, limit, commits: [], more: false };
  if (logR.exitCode !== 0) throw new Error(`git log failed: ${logR.stderr.trim()}`);
  const head = headR.stdout.trim();
  const walked = parseHistory(logR.stdout);
  const more = walked.length > limit;
  const shown = walked.slice(0, limit);
  const tags = parseRunTags(tagR.stdout, tagPrefix);

  const inShown = new Set(shown.map((c) => c.sha));
  const below = [...new Set(shown.flatMap((c) => c.parents).filter((p) => !inShown.has(p)))];
  const acceptedElsewhere = [...new Set(tags.filter((t) => t.state === 'accepted' && !inShown.has(t.commit)).map((t) => t.commit))];
  let side: Commit[] = [];
  if (acceptedElsewhere.length > 0) {
    const r = await git(repo, historyArgs([...acceptedElsewhere, ...(below.length > 0 ? ['--not', ...below] : [])]), { reject: false });
    if (r.exitCode !== 0) throw new Error(`git log failed: ${r.stderr.trim()}`);
    side = parseHistory(r.stdout).filter((c) => !inShown.has(c.sha));
  }
  const statuses = commitStatuses(buildGraph([...shown, ...side], head), tags);

  const tagsAt = new Map<string, RecentCommit['tags']>();
  for (const t of tags) {
    const list = tagsAt.get(t.commit) ?? [];
    list.push({ name: t.name, state: t.state, tier: t.tier });
    tagsAt.set(t.commit, list);
  }
  return {
    head,
    limit,
    more,
    commits: shown.map((c) => ({
      sha: c.sha,
      parents: c.parents,
      date: c.date,
      subject: c.subject,
      model: c.model,
      status: statuses.get(c.sha) ?? null,
      tags: (tagsAt.get(c.sha) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      auto_commit: trailerValue(c.trailers, 'Model-Switch') ?? null,
      rollback_of: trailerValue(c.trailers, 'Model-Rollback') ?? null,
      files: c.files.length,
      added: c.added,
      removed: c.removed,
    })),
  };
}

// Which commits are accepted, rolled back or pending: from the parent graph, the tags and the
// `Model-Rollback`/`Reverts` trailers (docs/git.md, "Review's trailers"). Pure.

import type { Commit } from './history.ts';
import { trailerValues } from './history.ts';
import type { RunTag } from './tags.ts';

export type Status = 'pending' | 'accepted' | 'rolled_back';

export type Graph = {
  bySha: Map<string, Commit>;
  /** Commits reachable from HEAD. */
  fromHead: Set<string>;
};

/** Every commit reachable from the starts (themselves included) that the walked history holds. */
export function reachable(bySha: ReadonlyMap<string, Commit>, starts: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = starts.filter((s) => bySha.has(s));
  while (stack.length > 0) {
    const sha = stack.pop() as string;
    if (seen.has(sha)) continue;
    seen.add(sha);
    for (const p of bySha.get(sha)?.parents ?? []) if (!seen.has(p) && bySha.has(p)) stack.push(p);
  }
  return seen;
}

export function buildGraph(commits: readonly Commit[], head: string | null): Graph {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  return { bySha, fromHead: reachable(bySha, head ? [head] : []) };
}

/** Shas named by `Reverts:` in rollback commits that HEAD reaches (a rollback on another branch undid nothing here). */
export function rolledBackShas(graph: Graph): Set<string> {
  const out = new Set<string>();
  for (const sha of graph.fromHead) {
    const c = graph.bySha.get(sha) as Commit;
    if (trailerValues(c.trailers, 'Model-Rollback').length === 0) continue;
    for (const v of trailerValues(c.trailers, 'Reverts')) out.add(v);
  }
  return out;
}

/**
 * Each model commit's status. A commit is accepted when an `accepted-<tier>-*` tag of each of its models reaches
 * it (a commit holding two models' edits stays pending until both are accepted).
 */
export function commitStatuses(graph: Graph, tags: readonly RunTag[]): Map<string, Status> {
  const acceptedTips = new Map<string, string[]>();
  for (const t of tags) {
    if (t.state !== 'accepted') continue;
    const list = acceptedTips.get(t.tier) ?? [];
    list.push(t.commit);
    acceptedTips.set(t.tier, list);
  }
  const acceptedBy = new Map<string, Set<string>>();
  for (const [tier, tips] of acceptedTips) acceptedBy.set(tier, reachable(graph.bySha, tips));
  const rolled = rolledBackShas(graph);
  const out = new Map<string, Status>();
  for (const c of graph.bySha.values()) {
    if (c.model === null) continue;
    if (rolled.has(c.sha)) out.set(c.sha, 'rolled_back');
    else if (c.models.every((m) => acceptedBy.get(m)?.has(c.sha))) out.set(c.sha, 'accepted');
    else out.set(c.sha, 'pending');
  }
  return out;
}

/** The tier's pending commits that HEAD reaches, newest first (the walk is in topological order). */
export function pendingFromHead(commits: readonly Commit[], graph: Graph, statuses: ReadonlyMap<string, Status>, tier: string): Commit[] {
  return commits.filter((c) => c.models.includes(tier) && graph.fromHead.has(c.sha) && statuses.get(c.sha) === 'pending');
}

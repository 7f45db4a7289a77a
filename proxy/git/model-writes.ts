// Which of some paths a model wrote that no commit has taken since (docs/git.md, "The person's work stays out"): the
// one answer the auto-commit asks before it commits anything. The evidence is the ledger's `edit` lines (Claude
// Code's file tools, proxy/git/edits.ts) and its `snapshot` lines' `bash_named` (files a model's Bash command named
// and changed in that interval, proxy/attribution/snapshots.ts): the intervals the notes label `ai`. A file changed
// in a Bash interval that no command named (`mixed` in a note) is not counted: in doubt, the person's.
// The rule is the hooks' (`fb_edit_models` in hooks/active-run.sh): a write counts until a commit after its `head`
// touches its path; a `head` git no longer knows is compared against all of HEAD's history (in doubt, not the model's).

import { stat } from 'node:fs/promises';
import { scanLines } from '../ledger/scan.ts';
import type { GitOptions, GitResult } from './git.ts';

/** One model's latest counting write of one path; `at` orders them (the ledger's byte offset of the line). */
export type ModelWrite = { path: string; tier: string; at: number };

type Git = (cwd: string, args: string[], opts?: GitOptions) => Promise<GitResult>;

/** The bytes of the ledger read: the last 1 MiB, and when a path has no write there, the last 32 MiB (as the hooks). */
export const RECENT_WINDOW = 1 << 20;
export const LONG_WINDOW = 32 << 20;

/**
 * The writes (one per path and model, the latest) among `paths` (relative to the work tree's top `top`, "/"
 * separated, as `git ls-files` prints them) that still count, in the order they happened. Paths with none are the
 * person's. `git` runs the git commands (the auto-commit passes its own, which die with the proxy).
 */
export async function modelWrites(
  top: string,
  ledgerFile: string,
  paths: readonly string[],
  git: Git,
  opts: GitOptions = {},
): Promise<ModelWrite[]> {
  const wanted = new Set(paths);
  if (wanted.size === 0) return [];
  let found = await writesIn(ledgerFile, wanted, RECENT_WINDOW);
  if (found.truncated && found.size < wanted.size) found = await writesIn(ledgerFile, wanted, LONG_WINDOW);
  if (found.writes.length === 0) return [];

  // For each `head`, the paths commits since it touched; one `git log` per distinct head (a few per session).
  const byHead = new Map<string | null, Set<string>>();
  for (const w of found.writes) (byHead.get(w.head) ?? byHead.set(w.head, new Set()).get(w.head)!).add(w.path);
  const taken = new Map<string | null, Set<string>>();
  for (const [head, set] of byHead) {
    const log = (range: string) =>
      git(top, ['--literal-pathspecs', 'log', '--no-renames', '--format=%x02', '--name-only', '-z', range, '--', ...set], {
        ...opts,
        reject: false,
      });
    let r = await log(head === null ? 'HEAD' : `${head}..HEAD`);
    if (r.exitCode !== 0 && head !== null) r = await log('HEAD'); // the head is gone (history rewritten)
    // No HEAD yet: nothing was committed since, nothing taken.
    const names = r.exitCode === 0 ? r.stdout.split('\0').map((s) => s.replace(/^\n/, '')) : [];
    taken.set(head, new Set(names.filter((s) => s !== '' && s !== '\x02')));
  }
  return found.writes.filter((w) => !taken.get(w.head)!.has(w.path)).map(({ path, tier, at }) => ({ path, tier, at }));
}

type Write = ModelWrite & { head: string | null };

/**
 * The latest write per path and tier among the last `window` bytes of the ledger (from the first whole line on): an
 * `edit` line, or a `snapshot` line whose answer ran Bash naming the path (`bash_named`); in ledger order, read in
 * chunks (proxy/ledger/scan.ts). `size`: how many of the wanted paths have one; `truncated`: the ledger is longer
 * than the window.
 */
async function writesIn(file: string, wanted: Set<string>, window: number): Promise<{ writes: Write[]; size: number; truncated: boolean }> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { writes: [], size: 0, truncated: false }; // no ledger: no model wrote anything
  }
  // One byte more than the window: when it is the newline before a whole line, only that empty line is dropped.
  const from = Math.max(0, size - window - 1);
  const latest = new Map<string, Write>();
  await scanLines(
    file,
    (line, start) => {
      if (from > 0 && start === from) return; // the line the window cuts into (a newline at `from` is no line)
      if (!line.includes('"kind":"edit"') && !line.includes('"bash_named"')) return;
      let e: unknown;
      try {
        e = JSON.parse(line);
      } catch {
        return; // a torn line
      }
      const { kind, head: h } = e as Record<string, unknown>;
      const head = typeof h === 'string' && h !== '' ? h : null;
      const write = (path: string, tier: string) => {
        const key = `${path}\0${tier}`;
        latest.delete(key); // re-inserted: the map keeps the ledger order of the latest writes
        latest.set(key, { path, tier, at: start, head });
      };
      if (kind === 'edit') {
        const { tier, path } = e as Record<string, unknown>;
        if (typeof tier === 'string' && typeof path === 'string' && wanted.has(path)) write(path, tier);
      } else if (kind === 'snapshot') {
        const { answer, bash_named: named } = e as Record<string, unknown>;
        const tier = (answer as Record<string, unknown> | null)?.tier;
        if (typeof tier !== 'string' || !Array.isArray(named)) return;
        for (const path of named) if (typeof path === 'string' && wanted.has(path)) write(path, tier);
      }
    },
    { from, to: size },
  );
  const writes = [...latest.values()];
  return { writes, size: new Set(writes.map((w) => w.path)).size, truncated: from > 0 };
}

/** The models of `writes`, once each, in the order of their writes. */
export function modelsInOrder(writes: readonly ModelWrite[]): string[] {
  return [...new Set([...writes].sort((a, b) => a.at - b.at).map((w) => w.tier))];
}

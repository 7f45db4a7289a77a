// The repository facts a readable notification shows: repository name and branch, read through proxy/git/git.ts.

import { basename } from 'node:path';
import { git, gitTopLevel } from '../git/git.ts';

export type NotifyContext = { repoName: string; branch: string | null };

/** Repository name = basename of the top level; branch from `git rev-parse --abbrev-ref HEAD` (null if unknown). */
export async function fetchNotifyContext(repo: string): Promise<NotifyContext> {
  const top = await gitTopLevel(repo).catch(() => null);
  const read = (args: string[]) =>
    git(repo, args, { reject: false, timeoutMs: 5_000 }).then(
      (r) => (r.exitCode === 0 ? r.stdout.trim() : ''),
      () => '',
    );
  // A branch with no commit yet has no HEAD to abbreviate, but symbolic-ref still names it.
  const name = (await read(['rev-parse', '--abbrev-ref', 'HEAD'])) || (await read(['symbolic-ref', '--short', '-q', 'HEAD']));
  const branch = name === '' ? null : name === 'HEAD' ? 'detached HEAD' : name;
  return { repoName: basename(top ?? repo), branch };
}

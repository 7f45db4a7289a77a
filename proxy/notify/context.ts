// The repository facts a readable notification shows: repository name and branch, read through proxy/git.ts.

import { basename } from 'node:path';
import { git, gitTopLevel } from '../git.ts';

export type NotifyContext = { repoName: string; branch: string | null };

/** Repository name = basename of the top level; branch from `git rev-parse --abbrev-ref HEAD` (null if unknown). */
export async function fetchNotifyContext(repo: string): Promise<NotifyContext> {
  const top = await gitTopLevel(repo).catch(() => null);
  const r = await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'], { reject: false, timeoutMs: 5_000 }).catch(() => null);
  const name = r && r.exitCode === 0 ? r.stdout.trim() : '';
  const branch = name === '' ? null : name === 'HEAD' ? 'detached HEAD' : name;
  return { repoName: basename(top ?? repo), branch };
}

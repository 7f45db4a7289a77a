// A fresh git repository in a temporary folder, with an identity and no signing, for a proxy to watch.

import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../proxy/git/git.ts';

export async function makeRepo(prefix = 'fallback-repo-'): Promise<string> {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  await git(repo, ['init', '-q', '-b', 'main']);
  for (const [key, value] of [
    ['user.name', 'Test User'],
    ['user.email', 'test@example.com'],
    ['commit.gpgsign', 'false'],
  ])
    await git(repo, ['config', key, value]);
  return repo;
}

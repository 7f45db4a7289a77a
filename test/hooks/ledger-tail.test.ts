// A person's commit reads only the recent tail of the ledger for edits (hooks/active-run.sh, docs/ledger.md "Hooks"):
// the last 1 MiB, then the last 32 MiB when that holds no edit of a staged path; an older edit is not seen. The
// run tag still follows when the run's start line is older than the window.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { gitCommonDir } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { PERSON, commitFile, edit, makeRepo, models, sha, start, switchTo, tags } from './repo.ts';

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
const MiB = 1 << 20;

/** Appends about `bytes` of usage lines (no run or edit lines). */
async function filler(repo: string, bytes: number): Promise<void> {
  const line =
    JSON.stringify({
      ts: ago(30),
      kind: 'usage',
      tier: 'gemini-flash',
      model: 'gemini-2.5-pro',
      input_tokens: 1234,
      output_tokens: 56,
      cache_read_tokens: 7890,
      cache_write_tokens: 0,
      ms: 1500,
      stream: true,
    }) + '\n';
  appendFileSync(join(await gitCommonDir(repo), 'model-ledger'), line.repeat(Math.ceil(bytes / line.length)));
}

describe('the hooks read the tail of a large ledger', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', ago(60));
    await switchTo(repo, 'claude', 'gemini-flash', ago(50));
  });

  it('finds an edit in the last MiB, and the run tag follows though the start line is 2 MiB back', async () => {
    await filler(repo, 2 * MiB);
    await edit(repo, 'gemini-flash', 'recent.txt', ago(10));
    await commitFile(repo, 'recent.txt', 'r\n', 'Commit what gemini wrote', { env: PERSON });
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(Object.values(await tags(repo))).toEqual([await sha(repo)]);
  });

  it('finds an edit 3 MiB back through the longer window', async () => {
    await edit(repo, 'gemini-flash', 'older.txt', ago(40));
    await filler(repo, 3 * MiB);
    await commitFile(repo, 'older.txt', 'o\n', 'Commit an older edit', { env: PERSON });
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('does not see an edit more than 32 MiB back (the bound), and the commit goes through', async () => {
    await edit(repo, 'gemini-flash', 'ancient.txt', ago(45));
    await filler(repo, 33 * MiB);
    await commitFile(repo, 'ancient.txt', 'a\n', 'Commit an ancient edit', { env: PERSON });
    expect(await models(repo)).toEqual([]);
  });
});

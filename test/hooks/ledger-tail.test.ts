// A person's commit reads only the recent tail of the ledger for edits (hooks/active-run.sh, docs/ledger.md "Hooks"):
// the last 1 MiB, then the last 32 MiB when that holds no edit of a staged path; an older edit is not seen. The
// active run (tier, run stamp, port) comes from the run file's line 4, never from the ledger: the run tag follows
// when the run's start line is older than the window, or not in the ledger at all.

import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { gitCommonDir } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { PERSON, commitFile, edit, ledger, makeRepo, models, sha, start, switchTo, tags } from './repo.ts';

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

  it('stamps right and tags from the run file when all but the last bytes of a 40 MiB ledger are unreadable garbage', async () => {
    // The old part: random bytes, torn lines, and well-formed lines that would end or change the run if read
    // (a stop, a later start of another tier): none of it is the hooks' business. Only the recent edit is real.
    const file = join(await gitCommonDir(repo), 'model-ledger');
    const misleading = [
      JSON.stringify({ ts: ago(20), kind: 'stop', active: 'gemini-flash' }),
      JSON.stringify({ ts: ago(15), kind: 'start', active: 'deepseek', tiers: ['deepseek'], pid: process.pid, port: 9 }),
    ].join('\n');
    const junk = randomBytes(MiB);
    writeFileSync(file, '');
    for (let i = 0; i < 39; i++) appendFileSync(file, Buffer.concat([junk, Buffer.from(`\n${misleading}\n{"kind":"s`)]));
    appendFileSync(file, '\n');
    await edit(repo, 'gemini-flash', 'fresh.txt', ago(5));
    await ledger(repo, {
      ts: ago(4),
      kind: 'usage',
      tier: 'gemini-flash',
      model: 'm',
      input_tokens: 1,
      output_tokens: 1,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
    });
    // A person's commit of what gemini-flash wrote: stamped, and the run's tag follows.
    await commitFile(repo, 'fresh.txt', 'f\n', 'Commit what gemini wrote', { env: PERSON });
    expect(await models(repo)).toEqual(['gemini-flash']);
    const tagged = Object.entries(await tags(repo));
    expect(tagged).toEqual([[expect.stringMatching(/^model-gemini-flash-\d{8}-\d{6}-\d{3}$/), await sha(repo)]]);
    // Claude Code's commit: the active tier of the run file.
    await commitFile(repo, 'next.txt', 'n\n', 'Claude Code commits');
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(Object.values(await tags(repo))).toEqual([await sha(repo)]);
  });
});

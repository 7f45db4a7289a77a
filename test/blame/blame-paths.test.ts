// Blame finds a note's range by the path git names in its porcelain output, which git C-quotes when the name holds a
// quote, a tab or a control character (even with core.quotePath=false); and by the path in the commit that added the
// line after a rename.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blameFile } from '../../proxy/blame/blame.ts';
import { git } from '../../proxy/git/git.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { commitAll, writeNote } from './notes-helper.ts';

const GEMINI = { type: 'ai', tier: 'gemini-flash', model_id: 'google/gemini-2.5-flash' } as const;

describe('blame and paths', () => {
  it('reads a quoted path (quote, tab, non-ASCII) and follows a rename to the path the note names', async () => {
    const repo = await makeRepo('cf-blame-paths-');
    const name = 'a "b"\tc é.txt';
    writeFileSync(join(repo, name), 'one\ntwo\n');
    const c = await commitAll(repo, 'add');
    await writeNote(repo, c, { [name]: [[2, 2, GEMINI]] });
    const lines = await blameFile(repo, name);
    expect(lines.map((l) => [l.orig_path, l.contributor.type])).toEqual([
      [name, 'human'],
      [name, 'ai'],
    ]);
    await git(repo, ['mv', name, 'renamed.txt']);
    await commitAll(repo, 'rename');
    const after = await blameFile(repo, 'renamed.txt');
    expect(after.map((l) => [l.commit, l.orig_path, l.contributor])).toEqual([
      [c, name, { type: 'human' }],
      [c, name, GEMINI],
    ]);
  });
});

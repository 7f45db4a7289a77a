// Every reader of the notes waits, bounded, for a note still being written (proxy/attribution/README.md, "Reading
// notes"): blame run right after a commit, while the post-commit hook's writer is at work, names the model, not
// the person, for the lines the note gives the model.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pendingMarker } from '../../proxy/attribution/note-writer.ts';
import { blameFile } from '../../proxy/blame/blame.ts';
import { gitCommonDir } from '../../proxy/git/git.ts';
import { readNotes } from '../../proxy/attribution/read.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { commitAll, writeNote } from './notes-helper.ts';

const GEMINI = { type: 'ai', tier: 'gemini-flash', model_id: 'google/gemini-2.5-flash' } as const;
const repos: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('a note still being written', () => {
  it('is waited for by blame and by the rollback’s reader', async () => {
    const repo = await makeRepo('cf-blame-wait-');
    repos.push(repo);
    writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
    const c = await commitAll(repo, 'add');
    const marker = pendingMarker(await gitCommonDir(repo), c);
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, ''); // what the post-commit hook does before it starts the writer
    const writer = new Promise<void>((done) =>
      setTimeout(() => {
        void writeNote(repo, c, { 'a.txt': [[2, 2, GEMINI]] })
          .then(() => rmSync(marker))
          .then(done);
      }, 300),
    );
    const [lines, notes] = await Promise.all([blameFile(repo, 'a.txt'), readNotes(repo, [c])]);
    await writer;
    expect(lines.map((l) => l.contributor.type)).toEqual(['human', 'ai']);
    expect(notes.get(c)?.files[0].ranges[0].contributor).toEqual(GEMINI);
  });
});

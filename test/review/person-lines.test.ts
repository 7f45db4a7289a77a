// Which hunks of a commit a rollback may revert (proxy/review/person-lines.ts): the attribution note's `human` lines
// and lines no note covers are the person's and kept, `ai` lines are reverted, a hunk with both (or `mixed`) refuses;
// no note, the whole commit; bytes (no final newline, not UTF-8) kept exactly. On real repositories.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { readNotes } from '../../proxy/attribution/read.ts';
import { personsInMessage, planCommit } from '../../proxy/review/person-lines.ts';
import { commit, makeRepo, removeRepo, review } from './fixture.ts';

type R = [start: number, end: number, type: string];
const noteText = (files: Record<string, R[]>, version = 'claude-fallback/1') =>
  JSON.stringify({
    version,
    commit: 'x',
    files: Object.entries(files).map(([path, ranges]) => ({
      path,
      ranges: ranges.map(([s, e, type]) => ({
        start_line: s,
        end_line: e,
        contributor: { type, tier: 'deepseek' },
        content_hash: 'sha256:0',
      })),
    })),
  });
const addNote = (dir: string, sha: string, files: Record<string, R[]>) =>
  git(dir, ['notes', '--ref=claude-fallback', 'add', '-f', '-F', '-', sha], { input: noteText(files) + '\n' });
const head = async (dir: string) => (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();

describe("the person's files as rollback reads them", () => {
  it("reads the person's files the auto-commit message lists, quoted names included", () => {
    const msg =
      "Auto-commit before switch to x\n\nThe person's, not committed (no model wrote them), still in the working tree:\n" +
      '- README.md\n- "evil\\u000aname"\n- and 3 more\n\nModel: claude\n';
    expect(personsInMessage(msg)).toEqual(['README.md', 'evil\nname']);
    expect(personsInMessage('Fix\n\n- README.md\n')).toEqual([]);
  });
});

describe('planning the rollback of one commit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeRepo();
    await commit(dir, 'base', { 'a.txt': 'a1\na2\na3\na4\na5\na6\na7\na8\n', 'b.bin': 'x\u00e9\n' });
  });
  afterEach(() => removeRepo(dir));

  it('without a note the whole commit is the model’s', async () => {
    const c = await commit(dir, 'work', { 'a.txt': 'a1\nA2\na3\na4\na5\na6\na7\nmine\n' }, { model: 'deepseek' });
    expect(await planCommit(dir, c, await parentOf(dir, c), undefined, [], true)).toEqual({ kind: 'whole' });
  });

  it('a mixed line, or ai and human lines in one hunk, refuse; a pure deletion is reverted', async () => {
    const c = await commit(dir, 'work', { 'a.txt': 'a1\nA2\nA3\na4\na6\na7\na8\n' }, { model: 'deepseek' });
    const p = await parentOf(dir, c);
    await addNote(dir, c, {
      'a.txt': [
        [2, 2, 'ai'],
        [3, 3, 'human'],
      ],
    });
    expect(await planCommit(dir, c, p, (await readNotes(dir, [c])).get(c), [], true)).toEqual({ kind: 'clash', files: ['a.txt'] });
    await addNote(dir, c, { 'a.txt': [[2, 3, 'mixed']] });
    expect(await planCommit(dir, c, p, (await readNotes(dir, [c])).get(c), [], true)).toEqual({ kind: 'clash', files: ['a.txt'] });
    await addNote(dir, c, { 'a.txt': [[2, 3, 'ai']] }); // and the deletion of a5, which no line records
    expect(await planCommit(dir, c, p, (await readNotes(dir, [c])).get(c), [], true)).toEqual({ kind: 'whole' });
    // A range of a contributor the format does not know is dropped: its lines are nobody's recorded, the person's.
    await addNote(dir, c, {
      'a.txt': [
        [2, 2, 'ai'],
        [3, 3, 'robot'],
      ],
    });
    expect(await planCommit(dir, c, p, (await readNotes(dir, [c])).get(c), [], true)).toEqual({ kind: 'clash', files: ['a.txt'] });
    // A note of another version is absent: the commit is the model's whole, as its trailer says.
    await git(dir, ['notes', '--ref=claude-fallback', 'add', '-f', '-F', '-', c], {
      input: noteText({ 'a.txt': [[3, 3, 'human']] }, 'claude-fallback/2'),
    });
    expect((await readNotes(dir, [c])).get(c)).toBeUndefined();
    expect(await planCommit(dir, c, p, undefined, [], true)).toEqual({ kind: 'whole' });
  });

  it('keeps the person’s hunks byte for byte through review --rollback, a later commit of the model reverted too', async () => {
    // The model changes a2 and the last line (left without a final newline); the person changes a5 (bytes that are
    // not UTF-8) in the same commit.
    const mine = Buffer.from('A5 m\xe9 \xff\n', 'latin1');
    const bytes = (a2: string, a8: string) => Buffer.concat([Buffer.from(`a1\n${a2}\na3\na4\n`), mine, Buffer.from(`a6\na7\n${a8}`)]);
    const commitBytes = async (subject: string, content: Buffer) => {
      writeFileSync(join(dir, 'a.txt'), content);
      await git(dir, ['commit', '-qam', subject, '-m', 'Model: deepseek']);
      return head(dir);
    };
    const c1 = await commitBytes('deepseek and me', bytes('A2 model', 'A8 model'));
    await addNote(dir, c1, {
      'a.txt': [
        [2, 2, 'ai'],
        [8, 8, 'ai'],
      ],
    }); // line 5: no range, the person's
    const c2 = await commitBytes('deepseek again', bytes('A2 model again', 'A8 model'));
    const r = await review(['--rollback', 'deepseek', '--repo', dir, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ commits: [{ sha: c2 }, { sha: c1 }], kept: [{ commit: c1, path: 'a.txt' }] });
    expect(readFileSync(join(dir, 'a.txt'))).toEqual(Buffer.concat([Buffer.from('a1\na2\na3\na4\n'), mine, Buffer.from('a6\na7\na8\n')]));
    expect((await git(dir, ['status', '--porcelain'])).stdout).toBe('');
  });

  it('a commit that is the person’s only (a file the message lists) is left as it is', async () => {
    const c = await commit(
      dir,
      "Auto-commit before switch to x\n\nThe person's, not committed (no model wrote them), still in the working tree:\n- a.txt",
      { 'a.txt': 'changed by me\n' },
      { model: 'deepseek' },
    );
    expect(await planCommit(dir, c, await parentOf(dir, c), undefined, ['a.txt'], true)).toEqual({ kind: 'none', kept: ['a.txt'] });
    const r = await review(['--rollback', 'deepseek', '--repo', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('changed by me\n');
  });
});

async function parentOf(dir: string, sha: string): Promise<string> {
  return (await git(dir, ['rev-parse', `${sha}^`])).stdout.trim();
}

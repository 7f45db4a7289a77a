// The e2e's own notes reader (test/helpers/notes-blame.ts) on notes written by hand from the shared format: it
// names each line's author through `git blame`, treats unrecorded lines and foreign notes as the person's, and
// reports a wrong content_hash, a range off the commit's added lines and two touching ranges of one contributor.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { newRepo } from '../helpers/vendor-harness.ts';
import { addedLines, blameFromNotes, noteProblems } from '../helpers/notes-blame.ts';

const hash = (lines: string[]) => 'sha256:' + createHash('sha256').update(lines.join('\n')).digest('hex');

it('reads who wrote each line from the notes, and checks a note against the format', () => {
  const repo = newRepo();
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', input: '' });
  const note = (commit: string, json: object) =>
    execFileSync('git', ['-C', repo, 'notes', '--ref=claude-fallback', 'add', '-f', '-F', '-', commit], {
      input: JSON.stringify(json) + '\n',
    });
  writeFileSync(join(repo, 'a.txt'), 'one\ntwo\nthree\n');
  git('add', '-A');
  git('commit', '-qm', 'root');
  const root = git('rev-parse', 'HEAD').trim();
  writeFileSync(join(repo, 'a.txt'), 'one\nTWO\nthree\nfour\nfive\n');
  git('commit', '-qam', 'second');
  const second = git('rev-parse', 'HEAD').trim();
  expect(addedLines(repo, root, 'a.txt')).toEqual([1, 2, 3]);
  expect(addedLines(repo, second, 'a.txt')).toEqual([2, 4, 5]);

  const claude = { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-5' };
  note(root, {
    version: 'claude-fallback/1',
    commit: root,
    files: [{ path: 'a.txt', ranges: [{ start_line: 1, end_line: 3, contributor: claude, content_hash: hash(['one', 'two', 'three']) }] }],
  });
  note(second, {
    version: 'claude-fallback/1',
    commit: second,
    files: [
      {
        path: 'a.txt',
        ranges: [
          { start_line: 2, end_line: 2, contributor: { type: 'ai', tier: 'deepseek' }, content_hash: hash(['TWO']) },
          { start_line: 4, end_line: 4, contributor: { type: 'mixed', tier: 'deepseek' }, content_hash: hash(['four']) },
          { start_line: 5, end_line: 5, contributor: { type: 'human' }, content_hash: hash(['five']) },
        ],
      },
    ],
  });
  expect(blameFromNotes(repo, 'HEAD', 'a.txt').map((l) => [l.line, l.by])).toEqual([
    ['one', 'claude'],
    ['TWO', 'deepseek'],
    ['three', 'claude'],
    ['four', 'mixed:deepseek'],
    ['five', 'human'],
  ]);
  expect(noteProblems(repo, root)).toEqual([]);
  expect(noteProblems(repo, second)).toEqual([]);

  // Another version is treated as absent: the root's lines become the person's.
  note(root, { version: 'other/2', commit: root, files: [] });
  expect(blameFromNotes(repo, 'HEAD', 'a.txt').map((l) => l.by)).toEqual(['human', 'deepseek', 'human', 'mixed:deepseek', 'human']);

  // A wrong hash, a range beyond the added lines, two touching ranges of one contributor.
  note(second, {
    version: 'claude-fallback/1',
    commit: second,
    files: [
      {
        path: 'a.txt',
        ranges: [
          { start_line: 2, end_line: 3, contributor: claude, content_hash: hash(['TWO', 'three']) },
          { start_line: 4, end_line: 4, contributor: claude, content_hash: hash(['4']) },
        ],
      },
    ],
  });
  expect(noteProblems(repo, second)).toEqual([
    expect.stringMatching(/^a\.txt 4-4: content_hash sha256:\w+, the lines hash to sha256:\w+$/),
    'a.txt: ranges 2-3 and 4-4 have one contributor and touch',
    'a.txt: ranges cover lines [2,3,4], the commit added [2,4,5]',
  ]);
});

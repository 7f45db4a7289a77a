// The attribution notes travel (docs/git.md, "Notes travel"), as a user runs it (the installed bin): a bare remote,
// the clone that wrote the notes pushes them, a second clone fetches them and shows the same blame; a fetch merges
// into the local notes without losing one; `hooks install` never edits the remote's config unasked, and with the
// refspecs it adds, plain `git push` and `git fetch` carry the notes and still push the branch.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, installFromClone, type Installed } from '../cli/installed.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { git } from '../../proxy/git/git.ts';
import { commitAll, writeNote, type Who } from './notes-helper.ts';

const CLAUDE: Who = { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-5' };
const GEMINI: Who = { type: 'ai', tier: 'gemini-flash', model_id: 'google/gemini-2.5-flash' };

let cf: Installed;
let dir: string;
let bare: string;
let a: string;
const env = cliEnv();
// stripFinalNewline off: what the command prints is compared byte for byte.
const run = (cwd: string, args: string[]) => execa(cf.bin, args, { cwd, env, reject: false, stripFinalNewline: false });
const blame = async (cwd: string) => JSON.parse((await run(cwd, ['blame', '--json', 'app.ts'])).stdout).lines;

async function cloneOf(name: string): Promise<string> {
  const to = join(dir, name);
  await git(dir, ['clone', '-q', bare, to]);
  for (const [k, v] of [
    ['user.name', 'Other'],
    ['user.email', 'other@example.com'],
  ])
    await git(to, ['config', k, v]);
  return to;
}

beforeAll(async () => {
  cf = installFromClone();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'cf-travel-')));
  bare = join(dir, 'remote.git');
  await git(dir, ['init', '-q', '--bare', '-b', 'main', bare]);
  a = await makeRepo('cf-travel-a-');
  await git(a, ['remote', 'add', 'origin', bare]);
  writeFileSync(join(a, 'app.ts'), 'one\ntwo\nthree\n');
  const c1 = await commitAll(a, 'claude writes');
  await writeNote(a, c1, { 'app.ts': [[1, 3, CLAUDE]] });
  writeFileSync(join(a, 'app.ts'), 'one\ntwo\nthree\nfour\n');
  const c2 = await commitAll(a, 'gemini adds a line');
  await writeNote(a, c2, { 'app.ts': [[4, 4, GEMINI]] });
  await git(a, ['push', '-q', '-u', 'origin', 'main']);
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(a, { recursive: true, force: true });
});

describe('push-notes and fetch-notes', () => {
  it('a second clone that fetched the notes shows the same blame', async () => {
    const b = await cloneOf('b');
    // A clone brings no notes: every line is the person's until they are fetched.
    expect((await blame(b)).map((l: { contributor: { type: string } }) => l.contributor.type)).toEqual([
      'human',
      'human',
      'human',
      'human',
    ]);
    expect((await run(b, ['fetch-notes'])).stdout).toContain('origin has no attribution notes yet');

    const pushed = await run(a, ['push-notes']);
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toBe('pushed refs/notes/claude-fallback to origin\n');
    const fetched = await run(b, ['fetch-notes', 'origin']);
    expect(fetched.exitCode).toBe(0);
    expect(fetched.stdout).toBe("fetched origin's notes into refs/notes/claude-fallback\n");
    expect(await blame(b)).toEqual(await blame(a));
    expect((await blame(b)).map((l: { contributor: { tier?: string } }) => l.contributor.tier)).toEqual([
      'claude',
      'claude',
      'claude',
      'gemini-flash',
    ]);
  });

  it('fetch-notes merges: notes only the remote has are added, a local note on the same commit is kept', async () => {
    const c = await cloneOf('c');
    await run(c, ['fetch-notes']);
    // c annotates its own new commit and rewrites the note of the first commit; a pushes a note on another commit.
    writeFileSync(join(c, 'c.txt'), 'c\n');
    const cOwn = await commitAll(c, 'c commit');
    await writeNote(c, cOwn, { 'c.txt': [[1, 1, GEMINI]] });
    const first = (await git(c, ['rev-list', '--max-parents=0', 'HEAD'])).stdout.trim();
    await writeNote(c, first, { 'app.ts': [[1, 3, GEMINI]] });
    const localFirst = (await git(c, ['notes', '--ref=claude-fallback', 'show', first])).stdout;

    writeFileSync(join(a, 'a.txt'), 'a\n');
    const aOwn = await commitAll(a, 'a commit');
    await writeNote(a, aOwn, { 'a.txt': [[1, 1, CLAUDE]] });
    await git(a, ['push', '-q', 'origin', 'main']);
    await writeNote(a, first, { 'app.ts': [[1, 3, CLAUDE]] }); // unchanged content, a new note commit
    expect((await run(a, ['push-notes'])).exitCode).toBe(0);

    const r = await run(c, ['fetch-notes']);
    expect(r.stdout).toBe("merged origin's notes into refs/notes/claude-fallback (yours kept where both had one)\n");
    await git(c, ['fetch', '-q', 'origin']);
    const show = async (sha: string) => (await git(c, ['notes', '--ref=claude-fallback', 'show', sha], { reject: false })).stdout;
    expect(await show(first)).toBe(localFirst);
    expect(await show(cOwn)).toContain('"c.txt"');
    expect(await show(aOwn)).toContain('"a.txt"');

    // c pushes: the remote moved on since c fetched? No: c merged it, so this is a fast-forward.
    expect((await run(c, ['push-notes'])).stdout).toBe('pushed refs/notes/claude-fallback to origin\n');
    // a's notes are behind now: push-notes merges the remote's first, then pushes.
    writeFileSync(join(a, 'a2.txt'), 'a2\n');
    const aTwo = await commitAll(a, 'a second');
    await writeNote(a, aTwo, { 'a2.txt': [[1, 1, CLAUDE]] });
    const again = await run(a, ['push-notes']);
    expect(again.stdout).toBe('pushed refs/notes/claude-fallback to origin (after merging the notes origin had)\n');
    expect((await git(bare, ['notes', '--ref=claude-fallback', 'list'])).stdout.split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('names a remote that does not exist', async () => {
    const r = await run(a, ['push-notes', 'nowhere']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('claude-fallback push-notes: no remote named "nowhere" (git remote -v lists them)\n');
  });
});

describe('hooks install and the notes refspecs', () => {
  it('off a terminal prints the git config lines and changes no remote config', async () => {
    const d = await cloneOf('d');
    const before = (await git(d, ['config', '--get-regexp', '^remote\\.'])).stdout;
    const r = await run(d, ['hooks', 'install']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      [
        '  git config --add remote.origin.fetch +refs/notes/claude-fallback:refs/notes/remotes/origin/claude-fallback',
        '  git config --add remote.origin.push HEAD',
        '  git config --add remote.origin.push refs/notes/claude-fallback',
      ].join('\n'),
    );
    expect((await git(d, ['config', '--get-regexp', '^remote\\.'])).stdout).toBe(before);
  });

  it('on a terminal asks, and a no changes nothing', async () => {
    const e = await cloneOf('e');
    const before = (await git(e, ['config', '--get-regexp', '^remote\\.'])).stdout;
    const r = await execa('script', ['-qec', `${cf.bin} hooks install`, '/dev/null'], { cwd: e, env, input: 'n\n', reject: false });
    expect(r.stdout).toContain('Add these to .git/config now? [y/N]');
    expect(r.stdout).toContain('Left as it is');
    expect((await git(e, ['config', '--get-regexp', '^remote\\.'])).stdout).toBe(before);
  });

  it('with a yes, plain git push carries the branch and the notes, and plain git fetch brings them to blame', async () => {
    const f = await cloneOf('f');
    const r = await execa('script', ['-qec', `${cf.bin} hooks install`, '/dev/null'], { cwd: f, env, input: 'y\n', reject: false });
    expect(r.stdout).toContain("origin's git fetch and git push now carry the attribution notes");
    expect((await git(f, ['config', '--get-all', 'remote.origin.push'])).stdout).toBe('HEAD\nrefs/notes/claude-fallback\n');
    // Installing again offers nothing more.
    expect((await run(f, ['hooks', 'install'])).stdout).not.toContain('git config --add');

    await git(f, ['fetch', '-q']); // the refspec lands the notes in refs/notes/remotes/origin/claude-fallback
    await git(f, ['merge', '-q', '--ff-only', 'origin/main']);
    expect(await blame(f)).toEqual(await blame(a));
    await run(f, ['fetch-notes']);
    writeFileSync(join(f, 'f.txt'), 'f\n');
    const fOwn = await commitAll(f, 'f commit');
    await writeNote(f, fOwn, { 'f.txt': [[1, 1, GEMINI]] });
    const p = await git(f, ['push', '-q'], { reject: false });
    expect(p.stderr).toBe('');
    expect((await git(bare, ['rev-parse', 'main'])).stdout.trim()).toBe(fOwn);
    expect((await git(bare, ['notes', '--ref=claude-fallback', 'show', fOwn])).stdout).toContain('"f.txt"');
  });

  it('--share-notes adds them without asking', async () => {
    const g = await cloneOf('g');
    await run(g, ['hooks', 'install', '--share-notes']);
    expect((await git(g, ['config', '--get-all', 'remote.origin.fetch'])).stdout).toContain(
      '+refs/notes/claude-fallback:refs/notes/remotes/origin/claude-fallback',
    );
  });
});

// commitAtSwitch: one auto-commit with the three trailers and the run tag on it; bounded when git is busy; no
// commit while git is in the middle of something; no hook of the repository runs; the user's index and staging are
// kept (the commit is built in a temporary index); a commit of the user's made meanwhile wins; secrets and big files
// stay out.

import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { commitAtSwitch, type SwitchCommitOptions } from '../../proxy/git/switch-commit.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, RUN2, commitFile, edit, makeRepo, message, models, script, sha, start, tags, tempDir } from '../hooks/repo.ts';

/** `tier` wrote these files through Claude Code's file tools: the ledger's edit lines the auto-commit reads. */
const wrote = async (repo: string, tier: string, ...paths: string[]) => {
  for (const p of paths) await edit(repo, tier, p);
};

const TAG = runTagName('model-', 'claude', RUN1);
const opts = (repo: string, extra: Partial<SwitchCommitOptions> = {}): SwitchCommitOptions => ({
  repo,
  from: 'claude',
  to: 'gemini-flash',
  reason: 'rate_limit',
  tagPrefix: 'model-',
  runStartedAt: RUN1,
  ...extra,
});
const count = async (repo: string) => Number((await git(repo, ['rev-list', '--count', 'HEAD'])).stdout.trim());

describe('commitAtSwitch', () => {
  it('makes exactly one commit with the three trailers, every change in it, and one tag on it', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'README'), 'changed\n');
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    await wrote(repo, 'claude', 'README', 'new.txt');
    const before = await count(repo);
    const r = await commitAtSwitch(opts(repo));
    expect(r).toEqual({ commit: await sha(repo), tag: TAG });
    expect(await count(repo)).toBe(before + 1);
    expect(await message(repo)).toBe(
      'Auto-commit before switch to gemini-flash\n\nModel: claude\nModel-Switch: claude -> gemini-flash\nSwitch-Reason: rate_limit\n\n',
    );
    expect(
      (await git(repo, ['log', '-1', '--format=%(trailers:key=Model-Switch,valueonly)%(trailers:key=Switch-Reason,valueonly)'])).stdout,
    ).toBe('claude -> gemini-flash\nrate_limit\n\n');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('');
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it('leaves the hooks nothing to add when they are installed: one Model trailer, one tag', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', RUN1);
    await commitFile(repo, 'a.txt', 'a\n', 'Claude work');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await wrote(repo, 'claude', 'b.txt');
    const r = await commitAtSwitch(opts(repo));
    expect(await models(repo)).toEqual(['claude']);
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it("commits nothing when the tree is clean, and tags the run's latest commit", async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'a.txt', 'a\n', 'Claude work\n\nModel: claude');
    const last = await sha(repo);
    await commitFile(repo, 'b.txt', 'b\n', 'Someone else\n\nModel: deepseek');
    const r = await commitAtSwitch(opts(repo));
    expect(r).toEqual({ commit: null, tag: TAG });
    expect(await tags(repo)).toEqual({ [TAG]: last });
  });

  it('returns no tag when the run made no commit', async () => {
    const repo = await makeRepo({ initial: true });
    expect(await commitAtSwitch(opts(repo))).toEqual({ commit: null, tag: null });
    expect(await tags(repo)).toEqual({});
  });

  it("does not count a commit older than the run as the run's", async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'a.txt', 'a\n', 'Old claude work\n\nModel: claude');
    expect(await commitAtSwitch(opts(repo, { runStartedAt: new Date(Date.now() + 60_000).toISOString() }))).toEqual({
      commit: null,
      tag: null,
    });
  });

  it('gives up after lockWaitMs while another process holds index.lock, and never removes the lock', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    await wrote(repo, 'claude', 'new.txt');
    const lock = join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    const head = await sha(repo);
    const t0 = Date.now();
    const r = await commitAtSwitch(opts(repo, { lockWaitMs: 400 }));
    const took = Date.now() - t0;
    expect(r.commit).toBeNull();
    expect(r.warning).toMatch(/^auto-commit skipped: git is busy .*index\.lock/);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(3000);
    expect(existsSync(lock)).toBe(true);
    expect(await sha(repo)).toBe(head);
  });

  it('commits once the lock goes away within lockWaitMs', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    await wrote(repo, 'claude', 'new.txt');
    const lock = join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    setTimeout(() => unlinkSync(lock), 200);
    const r = await commitAtSwitch(opts(repo, { lockWaitMs: 3000 }));
    expect(r.warning).toBeUndefined();
    expect(r.commit).toBe(await sha(repo));
  });

  it('works in a repository with no commits yet', async () => {
    const repo = await makeRepo();
    writeFileSync(join(repo, 'first.txt'), 'first\n');
    await wrote(repo, 'claude', 'first.txt');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(await count(repo)).toBe(1);
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it('works on a detached HEAD and leaves it detached', async () => {
    const repo = await makeRepo({ initial: true });
    await git(repo, ['checkout', '-q', '--detach']);
    const branch = await sha(repo, 'main');
    writeFileSync(join(repo, 'd.txt'), 'd\n');
    await wrote(repo, 'claude', 'd.txt');
    const r = await commitAtSwitch(opts(repo, { reason: 'overloaded' }));
    expect(r.commit).toBe(await sha(repo));
    expect(await sha(repo, 'main')).toBe(branch);
    expect((await git(repo, ['symbolic-ref', '-q', 'HEAD'], { reject: false })).exitCode).not.toBe(0);
    expect(await message(repo)).toContain('Switch-Reason: overloaded');
  });

  it('stays out of a merge in progress instead of committing conflict markers', async () => {
    const repo = await makeRepo({ initial: true });
    await git(repo, ['checkout', '-q', '-b', 'side']);
    await commitFile(repo, 'README', 'side\n', 'Side');
    await git(repo, ['checkout', '-q', 'main']);
    await commitFile(repo, 'README', 'main\n', 'Main');
    await git(repo, ['merge', '-q', 'side'], { reject: false });
    const head = await sha(repo);
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBeNull();
    expect(r.warning).toBe('auto-commit skipped: git has an operation in progress (MERGE_HEAD)');
    expect(await sha(repo)).toBe(head);
  });

  it('commits nothing onto the detached HEAD of a bisect, so bisect reset loses no file', async () => {
    const repo = await makeRepo({ initial: true });
    for (const n of [1, 2, 3]) await commitFile(repo, `f${n}.txt`, `${n}\n`, `Commit ${n}`);
    await git(repo, ['bisect', 'start', 'HEAD', 'HEAD~3']);
    const bisectHead = await sha(repo);
    writeFileSync(join(repo, 'work.txt'), 'written during the bisect\n');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBeNull();
    expect(r.warning).toBe('auto-commit skipped: git has an operation in progress (BISECT_LOG)');
    expect(await sha(repo)).toBe(bisectHead);
    await git(repo, ['bisect', 'reset']);
    expect(readFileSync(join(repo, 'work.txt'), 'utf8')).toBe('written during the bisect\n');
  });

  it("runs none of the repository's hooks: a slow or message-editing hook neither runs nor breaks the trailers", async () => {
    const repo = await makeRepo({ initial: true });
    const ran = join(repo, '.git', 'hook-ran');
    mkdirSync(join(repo, '.git', 'hooks'), { recursive: true });
    for (const hook of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit']) {
      script(
        join(repo, '.git', 'hooks', hook),
        `echo ${hook} >> "${ran}"\nsleep 20\n[ -n "$1" ] && [ -f "$1" ] && printf '\\nAppended by a hook.\\n' >> "$1"\nexit 0`,
      );
    }
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    await wrote(repo, 'claude', 'a.txt');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(existsSync(ran)).toBe(false);
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Model,valueonly)%(trailers:key=Switch-Reason,valueonly)'])).stdout).toBe(
      'claude\nrate_limit\n\n',
    );
  });

  it('reports a repository git cannot use as a warning, not a throw', async () => {
    const r = await commitAtSwitch(opts('/nonexistent/repo'));
    expect(r.commit).toBeNull();
    expect(r.warning).toMatch(/^auto-commit failed: /);
  });

  it('turns the next run into its own tag', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    await wrote(repo, 'claude', 'a.txt');
    const first = await commitAtSwitch(opts(repo));
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await wrote(repo, 'gemini-flash', 'b.txt');
    const second = await commitAtSwitch(opts(repo, { from: 'gemini-flash', to: 'claude', reason: 'recovered', runStartedAt: RUN2 }));
    expect(await tags(repo)).toEqual({ [TAG]: first.commit, [runTagName('model-', 'gemini-flash', RUN2)]: second.commit });
  });

  it("keeps the user's staging exactly: a partial hunk staged as its own blob stays staged, and git status shows nothing else", async () => {
    const repo = await makeRepo({ initial: true });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    await commitFile(repo, 'a.txt', lines.join('\n') + '\n', 'Add a');
    await commitFile(repo, 'b.txt', 'b\n', 'Add b');
    const oldHead = await sha(repo);
    // a.txt changed in two hunks; the user stages only the first (as `git add -p` would: a blob of its own).
    const both = [...lines];
    both[1] = 'line 2 edited';
    both[27] = 'line 28 edited';
    writeFileSync(join(repo, 'a.txt'), both.join('\n') + '\n');
    const firstOnly = [...lines];
    firstOnly[1] = 'line 2 edited';
    const blob = (await git(repo, ['hash-object', '-w', '--stdin'], { input: firstOnly.join('\n') + '\n' })).stdout.trim();
    await git(repo, ['update-index', '--cacheinfo', `100644,${blob},a.txt`]);
    // A new file staged, then edited again; an unstaged edit; an untracked file.
    writeFileSync(join(repo, 's.txt'), 'staged\n');
    await git(repo, ['add', 's.txt']);
    writeFileSync(join(repo, 's.txt'), 'staged\nand more\n');
    writeFileSync(join(repo, 'b.txt'), 'b changed, not staged\n');
    writeFileSync(join(repo, 'u.txt'), 'untracked\n');
    await wrote(repo, 'claude', 'a.txt', 'b.txt', 's.txt', 'u.txt');
    const entries = async (...paths: string[]) => (await git(repo, ['ls-files', '-s', '--', ...paths])).stdout;
    const stagedEntries = await entries('a.txt', 's.txt');
    const cachedDiff = (await git(repo, ['diff', '--cached', oldHead, '--', 'a.txt', 's.txt'])).stdout;
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('MM a.txt\n M b.txt\nAM s.txt\n?? u.txt\n');

    const r = await commitAtSwitch(opts(repo));
    expect(r).toEqual({ commit: await sha(repo), tag: TAG });
    // The commit holds the working tree as it is, every file (the model wrote them all).
    for (const f of ['a.txt', 'b.txt', 's.txt', 'u.txt'])
      expect((await git(repo, ['show', `HEAD:${f}`])).stdout).toBe(readFileSync(join(repo, f), 'utf8'));
    // The user's staged entries are byte for byte what they were, the custom blob included.
    expect(await entries('a.txt', 's.txt')).toBe(stagedEntries);
    expect(stagedEntries).toContain(blob);
    expect((await git(repo, ['diff', '--cached', oldHead, '--', 'a.txt', 's.txt'])).stdout).toBe(cachedDiff);
    // What the user had not staged is committed and clean; what they staged still shows staged.
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('MM a.txt\nMM s.txt\n');
    // The user's next commit is the tree they had prepared.
    await git(repo, ['commit', '-qm', 'My partial commit']);
    expect((await git(repo, ['show', 'HEAD:a.txt'])).stdout).toBe(firstOnly.join('\n') + '\n');
    expect((await git(repo, ['show', 'HEAD:s.txt'])).stdout).toBe('staged\n');
  });

  it('keeps a staged deletion and a staged new file on a branch with no commit yet', async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'gone.txt', 'gone\n', 'Add gone');
    await git(repo, ['rm', '-q', '--cached', 'gone.txt']); // staged deletion, file kept in the tree
    writeFileSync(join(repo, 'README'), 'edited\n');
    const fresh = await makeRepo();
    writeFileSync(join(fresh, 'first.txt'), 'first\n');
    await git(fresh, ['add', 'first.txt']);
    writeFileSync(join(fresh, 'other.txt'), 'other\n');
    await wrote(repo, 'claude', 'gone.txt', 'README');
    await wrote(fresh, 'claude', 'first.txt', 'other.txt');

    expect((await commitAtSwitch(opts(repo))).commit).toBe(await sha(repo));
    expect((await git(repo, ['ls-tree', '--name-only', 'HEAD'])).stdout).toBe('README\ngone.txt\n');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('D  gone.txt\n?? gone.txt\n');
    const r = await commitAtSwitch(opts(fresh));
    expect(r.commit).toBe(await sha(fresh));
    expect((await git(fresh, ['ls-tree', '--name-only', 'HEAD'])).stdout).toBe('first.txt\nother.txt\n');
    expect((await git(fresh, ['status', '--porcelain'])).stdout).toBe('');
  });

  it("never overwrites a commit the user makes while the auto-commit is built: it is skipped, the user's commit stays", async () => {
    const repo = await makeRepo({ initial: true });
    // git add runs this clean filter on work.dat; it commits as the user would, on the real index, meanwhile.
    await git(repo, [
      'config',
      'filter.race.clean',
      'env -u GIT_INDEX_FILE git commit -q --allow-empty -m "Made by the user meanwhile" >/dev/null 2>&1; cat',
    ]);
    writeFileSync(join(repo, '.git', 'info', 'attributes'), 'work.dat filter=race\n');
    writeFileSync(join(repo, 'work.dat'), 'work\n');
    await wrote(repo, 'claude', 'work.dat');
    const before = await sha(repo);
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBeNull();
    expect(r.warning).toMatch(/^auto-commit skipped: HEAD moved while the auto-commit was made, nothing was overwritten/);
    expect(await message(repo)).toBe('Made by the user meanwhile\n\n');
    expect((await git(repo, ['log', '--format=%s', `${before}..HEAD`])).stdout).toMatch(/^(Made by the user meanwhile\n)+$/);
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('?? work.dat\n');
  });

  it('leaves out secrets by name and files over 10 MB, names them in the message, and keeps them in the tree', async () => {
    const repo = await makeRepo({ initial: true });
    mkdirSync(join(repo, 'config'));
    await commitFile(repo, 'config/.env.local', 'TOKEN=placeholder\n', 'Add a template');
    writeFileSync(join(repo, 'config/.env.local'), 'TOKEN=sk-real-secret\n');
    writeFileSync(join(repo, '.env'), 'KEY=sk-other-secret\n');
    mkdirSync(join(repo, 'keys'));
    writeFileSync(join(repo, 'keys', 'server.pem'), '-----BEGIN PRIVATE KEY-----\n');
    writeFileSync(join(repo, 'keys', 'id_rsa'), 'ssh key\n');
    writeFileSync(join(repo, 'big.bin'), Buffer.alloc(11 * 1024 * 1024, 1));
    writeFileSync(join(repo, 'small.bin'), Buffer.alloc(1024, 1));
    writeFileSync(join(repo, 'evil\n\nModel: mallory\n.pem'), 'forged trailer\n');
    writeFileSync(join(repo, 'code.ts'), 'export {};\n');
    await wrote(
      repo,
      'claude',
      'config/.env.local',
      '.env',
      'keys/server.pem',
      'keys/id_rsa',
      'big.bin',
      'small.bin',
      'evil\n\nModel: mallory\n.pem',
      'code.ts',
    );
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(r.warning).toMatch(/^auto-commit left out 6 files \(/);
    expect((await git(repo, ['show', '--name-only', '--format=', 'HEAD'])).stdout).toBe('code.ts\nsmall.bin\n');
    expect(await message(repo)).toBe(
      'Auto-commit before switch to gemini-flash\n\nLeft out, still in the working tree:\n- .env (a secret by its name)\n- big.bin (11 MB, over the 10 MB limit)\n' +
        '- config/.env.local (a secret by its name)\n- "evil\\u000a\\u000aModel: mallory\\u000a.pem" (a secret by its name)\n- keys/id_rsa (a secret by its name)\n' +
        '- keys/server.pem (a secret by its name)\n\nModel: claude\nModel-Switch: claude -> gemini-flash\nSwitch-Reason: rate_limit\n\n',
    );
    expect(await models(repo)).toEqual(['claude']);
    const all = (await git(repo, ['log', '--all', '-p'])).stdout;
    for (const secret of ['sk-real-secret', 'sk-other-secret', 'PRIVATE KEY']) expect(all).not.toContain(secret);
    expect((await git(repo, ['status', '--porcelain', '-uall'])).stdout).toBe(
      ' M config/.env.local\n?? .env\n?? big.bin\n?? "evil\\n\\nModel: mallory\\n.pem"\n?? keys/id_rsa\n?? keys/server.pem\n',
    );
    expect(readFileSync(join(repo, '.env'), 'utf8')).toBe('KEY=sk-other-secret\n');
  });

  it('takes the size limit from maxFileSize, and commits nothing when all that changed is left out', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'data.csv'), 'x'.repeat(2000));
    await wrote(repo, 'claude', 'data.csv');
    const head = await sha(repo);
    const r = await commitAtSwitch(opts(repo, { maxFileSize: 1000 }));
    expect(r).toEqual({
      commit: null,
      tag: null,
      warning: 'auto-commit skipped: nothing to commit but what it leaves out, 1 file (data.csv)',
    });
    expect(await sha(repo)).toBe(head);
    expect((await commitAtSwitch(opts(repo, { maxFileSize: 2000 }))).commit).toBe(await sha(repo));
  });

  it('leaves no temporary index behind', async () => {
    const repo = await makeRepo({ initial: true });
    const { readdirSync } = await import('node:fs');
    const scratch = () => readdirSync(tmpdir()).filter((n) => n.startsWith('fallback-auto-commit-')).length;
    const before = scratch();
    writeFileSync(join(repo, 'x.txt'), 'x\n');
    await wrote(repo, 'claude', 'x.txt');
    await commitAtSwitch(opts(repo));
    expect(scratch()).toBe(before);
  });

  it('commits nothing while the index holds unresolved conflicts (a stash pop that conflicted leaves no MERGE_HEAD)', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'README'), 'stashed\n');
    await git(repo, ['stash', '-q']);
    await commitFile(repo, 'README', 'committed\n', 'Change README');
    expect((await git(repo, ['stash', 'pop', '-q'], { reject: false })).exitCode).not.toBe(0);
    const head = await sha(repo);
    const entries = (await git(repo, ['ls-files', '-s'])).stdout;
    const r = await commitAtSwitch(opts(repo));
    expect(r).toMatchObject({ commit: null, warning: 'auto-commit skipped: the index has unresolved conflicts' });
    expect(await sha(repo)).toBe(head);
    expect((await git(repo, ['ls-files', '-s'])).stdout).toBe(entries);
  });

  it("commits in a linked worktree to that worktree's branch, and keeps that worktree's own staging", async () => {
    const repo = await makeRepo({ initial: true });
    const wt = join(tempDir('wt'), 'wt');
    await git(repo, ['worktree', 'add', '-q', '-b', 'side', wt]);
    writeFileSync(join(wt, 'README'), 'staged in the worktree\n');
    await git(wt, ['add', 'README']);
    writeFileSync(join(wt, 'README'), 'staged in the worktree\nand more\n');
    writeFileSync(join(wt, 'new.txt'), 'new\n');
    writeFileSync(join(repo, 'main-only.txt'), 'untracked in the main worktree\n');
    await wrote(wt, 'claude', 'README', 'new.txt');
    const staged = (await git(wt, ['ls-files', '-s', 'README'])).stdout;
    const main = await sha(repo, 'main');
    const r = await commitAtSwitch(opts(wt));
    expect(r.commit).toBe(await sha(repo, 'side'));
    expect(await sha(repo, 'main')).toBe(main);
    expect((await git(wt, ['ls-files', '-s', 'README'])).stdout).toBe(staged);
    expect((await git(wt, ['status', '--porcelain'])).stdout).toBe('MM README\n');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('?? main-only.txt\n');
  });
  it("leaves the person's files out, as they were (untracked, unstaged and staged), names them, and stamps only the models that wrote", async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'notes.md', 'notes\n', 'Add notes');
    writeFileSync(join(repo, 'app.ts'), 'claude wrote this\n');
    await wrote(repo, 'claude', 'app.ts');
    // The person's own work in progress: a new file, an unstaged README edit, a staged notes edit.
    writeFileSync(join(repo, 'wip.txt'), 'my half-done idea\n');
    writeFileSync(join(repo, 'README'), 'start\nmy README line\n');
    writeFileSync(join(repo, 'notes.md'), 'notes\nstaged by me\n');
    await git(repo, ['add', 'notes.md']);
    const index = readFileSync(join(repo, '.git', 'index'));
    const entries = (await git(repo, ['ls-files', '-s'])).stdout;
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(r.warning).toBe("auto-commit left the person's 3 files (README, notes.md, wip.txt) uncommitted (no model wrote them)");
    expect((await git(repo, ['show', '--name-only', '--format=', 'HEAD'])).stdout).toBe('app.ts\n');
    expect(await message(repo)).toBe(
      "Auto-commit before switch to gemini-flash\n\nThe person's, not committed (no model wrote them), still in the working tree:\n" +
        '- README\n- notes.md\n- wip.txt\n\nModel: claude\nModel-Switch: claude -> gemini-flash\nSwitch-Reason: rate_limit\n\n',
    );
    // The person's files are exactly as they were: content, staging, status.
    expect(readFileSync(join(repo, 'wip.txt'), 'utf8')).toBe('my half-done idea\n');
    expect(readFileSync(join(repo, 'README'), 'utf8')).toBe('start\nmy README line\n');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe(' M README\nM  notes.md\n?? wip.txt\n');
    const after = (await git(repo, ['ls-files', '-s'])).stdout;
    expect(after.split('\n').filter((l) => !l.endsWith('\tapp.ts'))).toEqual(entries.split('\n'));
    expect(readFileSync(join(repo, '.git', 'index')).equals(index)).toBe(false); // app.ts was brought to the commit
  });

  it('names each model whose writes it holds, in the order of their writes; an edit a commit has taken since does not count', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'old.txt'), 'deepseek wrote this, then the person committed it\n');
    await wrote(repo, 'deepseek', 'old.txt');
    await commitFile(repo, 'old.txt', 'deepseek wrote this, then the person committed it\n', 'Commit it');
    writeFileSync(join(repo, 'old.txt'), 'changed again by the person\n');
    writeFileSync(join(repo, 'g.txt'), 'gemini\n');
    await wrote(repo, 'gemini-flash', 'g.txt');
    writeFileSync(join(repo, 'c.txt'), 'claude\n');
    await wrote(repo, 'claude', 'c.txt');
    await wrote(repo, 'gemini-flash', 'c.txt');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(await models(repo)).toEqual(['gemini-flash', 'claude']);
    expect((await git(repo, ['show', '--name-only', '--format=', 'HEAD'])).stdout).toBe('c.txt\ng.txt\n');
    expect(await message(repo)).toContain("The person's, not committed (no model wrote them), still in the working tree:\n- old.txt\n");
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it("commits nothing when only the person changed files, and tags the run's latest commit", async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'a.txt', 'a\n', 'Claude work\n\nModel: claude');
    const last = await sha(repo);
    writeFileSync(join(repo, 'wip.txt'), 'mine\n');
    writeFileSync(join(repo, 'README'), 'mine too\n');
    const r = await commitAtSwitch(opts(repo));
    expect(r).toEqual({
      commit: null,
      tag: TAG,
      warning: "auto-commit skipped: nothing to commit but the person's 2 files (README, wip.txt), which no model wrote",
    });
    expect(await sha(repo)).toBe(last);
    expect(await tags(repo)).toEqual({ [TAG]: last });
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe(' M README\n?? wip.txt\n');
  });
});

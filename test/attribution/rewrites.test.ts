// Attribution notes through history rewriting, in real repositories with the hooks installed: a commit's note comes
// from the ledger's snapshots (written here as the proxy writes them), then amend, `rebase -i` with a squash,
// `git merge --squash` and cherry-pick each give the new commit a note naming the same lines' models.

import { execa } from 'execa';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { appendLedger } from '../../proxy/git/ledger.ts';
import { readAttribution } from '../../proxy/attribution/read.ts';
import { snapshotTree } from '../../proxy/attribution/snapshots.ts';
import { git } from '../../proxy/git/git.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { main as noteWriter } from '../../scripts/attribution-note.ts';

const PERSON = { CLAUDECODE: '', GIT_EDITOR: ':' };
const ai = (tier: string) => ({ type: 'ai', tier, model_id: `vendor/${tier}-model` });
const HUMAN = { type: 'human' };

async function setup() {
  const repo = await makeRepo();
  writeFileSync(join(repo, 'README'), 'hello\n');
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'initial']);
  await installHooks(repo, { tagPrefix: 'model-' });
  mkdirSync(join(repo, 'src'));
  const head = async () => (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
  /** The proxy's snapshot after an answer of `tier` wrote `path` with a file tool. */
  const snapshot = async (tier: string, path: string) => {
    const tree = await snapshotTree(repo, join(repo, '.git', 'index'), 1e7, git);
    appendLedger(join(repo, '.git', 'model-ledger'), {
      kind: 'snapshot',
      session: 's1',
      head: await head(),
      tree: tree!,
      answer: { tier, model_id: `vendor/${tier}-model`, tools: [{ name: 'Write', path }] },
    });
  };
  const commit = async (msg: string) => {
    await git(repo, ['add', '-A']);
    await execa('git', ['commit', '-q', '-a', '-m', msg], { cwd: repo, env: PERSON });
    return head();
  };
  const ranges = async (rev: string) =>
    (await readAttribution(repo, rev, { waitMs: 60_000 }))?.files.map((f) => [
      f.path,
      f.ranges.map((r) => [r.start_line, r.end_line, r.contributor]),
    ]) ?? null;
  return { repo, head, snapshot, commit, ranges };
}

describe('attribution notes through rewrites', () => {
  it('amend, rebase -i squash, merge --squash and cherry-pick keep which model wrote each line', async () => {
    const { repo, snapshot, commit, ranges } = await setup();
    const file = join(repo, 'src/a.ts');
    // Commit 1 on a branch: gemini writes three lines, the person adds one.
    await git(repo, ['checkout', '-q', '-b', 'feature']);
    writeFileSync(file, 'g1\ng2\ng3\n');
    await git(repo, ['add', '-A']);
    await snapshot('gemini', 'src/a.ts');
    appendFileSync(file, 'person line\n');
    const c1 = await commit('one');
    expect(await ranges(c1)).toEqual([
      [
        'src/a.ts',
        [
          [1, 3, ai('gemini')],
          [4, 4, HUMAN],
        ],
      ],
    ]);
    // Commit 2: deepseek adds two lines at the top.
    writeFileSync(file, 'd1\nd2\ng1\ng2\ng3\nperson line\n');
    await snapshot('deepseek', 'src/a.ts');
    const c2 = await commit('two');
    expect(await ranges(c2)).toEqual([['src/a.ts', [[1, 2, ai('deepseek')]]]]);

    // Amend with one more line of the person's: the model's lines stay the model's.
    appendFileSync(file, 'amended\n');
    await execa('git', ['commit', '-q', '-a', '--amend', '--no-edit'], { cwd: repo, env: PERSON });
    const amended = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    expect(await ranges(amended)).toEqual([
      [
        'src/a.ts',
        [
          [1, 2, ai('deepseek')],
          [7, 7, HUMAN],
        ],
      ],
    ]);

    // merge --squash into main, then commit: one commit, each line its model's.
    await git(repo, ['checkout', '-q', 'main']);
    await execa('git', ['merge', '--squash', 'feature'], { cwd: repo, env: PERSON });
    const squashed = await commit('squashed feature');
    const whole = [
      [
        'src/a.ts',
        [
          [1, 2, ai('deepseek')],
          [3, 5, ai('gemini')],
          [6, 7, HUMAN],
        ],
      ],
    ];
    expect(await ranges(squashed)).toEqual(whole);

    // rebase -i with a squash of the feature's two commits.
    await git(repo, ['checkout', '-q', 'feature']);
    const seq = "sed -i '2s/^pick/squash/'";
    // Onto the commit before the squash merge, so both commits replay and squash into one.
    await execa('git', ['rebase', '-q', '-i', 'main~1'], { cwd: repo, env: { ...PERSON, GIT_SEQUENCE_EDITOR: seq } });
    const one = (await git(repo, ['rev-list', '--count', 'main~1..HEAD'])).stdout.trim();
    expect(one).toBe('1');
    expect(await ranges('HEAD')).toEqual(whole);

    // cherry-pick of the feature's squashed commit onto a new branch from the first commit.
    await git(repo, ['checkout', '-q', '-b', 'picked', 'main~1']);
    await execa('git', ['cherry-pick', 'feature'], { cwd: repo, env: PERSON });
    expect(await ranges('HEAD')).toEqual(whole);
    // Nothing was destroyed: the first commit's note is still there.
    expect(await ranges(c1)).toEqual([
      [
        'src/a.ts',
        [
          [1, 3, ai('gemini')],
          [4, 4, HUMAN],
        ],
      ],
    ]);
  }, 180_000);

  it("a forge's squash merge pulled back (no hook ran for it) gets its note from the branch's notes by content", async () => {
    const { repo, snapshot, commit, ranges } = await setup();
    const file = join(repo, 'src/a.ts');
    await git(repo, ['checkout', '-q', '-b', 'feature']);
    writeFileSync(file, 'const first = gemini();\n');
    await snapshot('gemini', 'src/a.ts');
    await commit('one');
    writeFileSync(file, 'const first = gemini();\nconst second = deepseek();\n');
    await snapshot('deepseek', 'src/a.ts');
    const last = await commit('two');
    await ranges(last);
    // The forge's squash commit on main: the branch's tree on main's tip, made without any hook.
    await git(repo, ['checkout', '-q', 'main']);
    const tree = (await git(repo, ['rev-parse', 'feature^{tree}'])).stdout.trim();
    const squash = (await git(repo, ['commit-tree', tree, '-p', 'main', '-m', 'Feature (#1)'])).stdout.trim();
    await git(repo, ['merge', '-q', '--ff-only', squash], { env: { FALLBACK_SKIP_HOOKS: '1' } });
    expect(await ranges(squash)).toBeNull();
    expect(await noteWriter(['commit', squash], repo)).toBe(0);
    expect(await ranges(squash)).toEqual([
      [
        'src/a.ts',
        [
          [1, 1, ai('gemini')],
          [2, 2, ai('deepseek')],
        ],
      ],
    ]);
  }, 120_000);
});

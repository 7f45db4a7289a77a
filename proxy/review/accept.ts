// `--accept <tier>`: rename the tier's run tags to `accepted-<tier>-*` and record which commits that accepted.
// `--test "<cmd>"` runs first; a failure refuses the accept (or, with `--rollback-on-fail`, rolls back).

import { spawn } from 'node:child_process';
import { appendLedger } from '../git/ledger.ts';
import { EXIT } from '../exit-codes.ts';
import { ReviewError } from './errors.ts';
import type { RepoState } from './repo-state.ts';
import { dirtyPaths, rollback, type RollbackResult } from './rollback.ts';
import { commitStatuses, pendingFromHead, reachable } from './status.ts';
import { planRenames, stampOf, updateTags, type Rename, type RunTag } from './tags.ts';

export type TestRun = { command: string; passed: boolean; exit_code: number; output_tail: string };

export type AcceptResult = {
  model: string;
  accepted: boolean;
  /** Commits that were pending and are accepted now. */
  commits: string[];
  tags: Rename[];
  /** A tag made for pending commits that no run tag reached (hooks not installed when they were made). */
  created_tag: string | null;
  test: TestRun | null;
  /** Set when `--rollback-on-fail` rolled the work back after a failing test. */
  rollback: RollbackResult | null;
};

export const TAIL_LINES = 30;

/** Runs the command in the repository through the shell; keeps the end of its output (stdout and stderr interleaved). */
export function runTest(repo: string, command: string): Promise<TestRun> {
  return new Promise((done) => {
    const child = spawn(command, { cwd: repo, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const all: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => all.push(b));
    child.stderr.on('data', (b: Buffer) => all.push(b));
    const finish = (exitCode: number, extra = '') => {
      const lines = (Buffer.concat(all).toString('utf8') + extra).replace(/\s+$/, '').split('\n');
      done({ command, passed: exitCode === 0, exit_code: exitCode, output_tail: lines.slice(-TAIL_LINES).join('\n') });
    };
    child.on('error', (e) => finish(1, e.message));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

export async function accept(
  state: RepoState,
  tier: string,
  opts: { test?: string; rollbackOnFail?: boolean } = {},
): Promise<AcceptResult> {
  const result: AcceptResult = { model: tier, accepted: false, commits: [], tags: [], created_tag: null, test: null, rollback: null };
  const pendingBefore = [...state.statuses]
    .filter(([sha, s]) => s === 'pending' && state.graph.bySha.get(sha)?.models.includes(tier))
    .map(([sha]) => sha);

  if (opts.test) {
    // The test must judge the model's commits, not uncommitted changes lying beside them.
    const dirty = await dirtyPaths(state.repo);
    if (dirty.length > 0) {
      throw new ReviewError(
        `refusing to test and accept ${tier}: the work tree has uncommitted changes in ${dirty.join(', ')}; commit or stash them first`,
        EXIT.refused,
        { dirty },
      );
    }
    result.test = await runTest(state.repo, opts.test);
    const { command, passed, exit_code } = result.test;
    appendLedger(state.ledgerFile, { kind: 'test', model: tier, commits: pendingBefore, command, passed, exit_code });
    if (!passed) {
      if (opts.rollbackOnFail) {
        result.rollback = await rollback(state, tier);
        return result;
      }
      throw new ReviewError(
        `not accepting ${tier}: \`${command}\` failed with exit code ${exit_code}. The end of its output:\n${result.test.output_tail}`,
        EXIT.refused,
        { test: result.test },
      );
    }
  }

  const runTags = state.tags.filter((t) => t.state === 'run' && t.tier === tier);
  const isAncestor = (a: string, of: string) => reachable(state.graph.bySha, [of]).has(a);
  const plan = planRenames(runTags, state.tags, 'accepted', state.tagPrefix, isAncestor);
  const after: RunTag[] = state.tags.filter((t) => !runTags.includes(t));
  for (const r of plan.renames) {
    const from = runTags.find((t) => t.name === r.from) as RunTag;
    after.push({ ...from, name: r.to, state: 'accepted' });
  }
  // Pending work that no run tag reaches gets an accepted tag on its newest commit.
  const stillPending = pendingFromHead(state.commits, state.graph, commitStatuses(state.graph, after), tier);
  if (stillPending.length > 0) {
    const newest = stillPending[0];
    const taken = new Set(state.tags.map((t) => t.name).concat(plan.renames.map((r) => r.to)));
    let name = `accepted-${tier}-${stampOf(newest.time)}`;
    for (let n = 2; taken.has(name); n++) name = `accepted-${tier}-${stampOf(newest.time)}.${n}`;
    plan.ops.push({ op: 'set', name, object: newest.sha });
    after.push({ name, state: 'accepted', tier, stamp: stampOf(newest.time), time: newest.time, commit: newest.sha, object: newest.sha });
    result.created_tag = name;
  }
  result.accepted = true;
  if (plan.ops.length === 0) return result; // nothing pending, no run tag: nothing to record
  const statusesAfter = commitStatuses(state.graph, after);
  result.commits = pendingBefore.filter((sha) => statusesAfter.get(sha) === 'accepted');
  result.tags = plan.renames;
  await updateTags(state.repo, plan.ops);
  appendLedger(state.ledgerFile, {
    kind: 'accept',
    model: tier,
    commits: result.commits,
    tags: [...plan.renames.map((r) => r.to), ...(result.created_tag ? [result.created_tag] : [])],
  });
  return result;
}

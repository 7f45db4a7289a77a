// A snapshot taken late: the proxy reads a request boundary's tree off the request's path, so when the answer is
// quick (and the repository large) the answer's file tool can run before that tree is read. The tool's lines are
// then in the snapshot of the request that asked for them, an interval whose label is the person's; the `tool_call`
// lines the proxy recorded as the model streamed the call (after that request arrived) give them back to the model.
// Seen with `claude-fallback -- claude -p` and an answer that ends at once (test/cli/attribution-installed.test.ts).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeCommit } from '../../proxy/attribution/compute.ts';
import { snapshotTree } from '../../proxy/attribution/snapshots.ts';
import { lineHash } from '../../proxy/attribution/tool-calls.ts';
import { git } from '../../proxy/git/git.ts';
import type { SnapshotEvent, ToolCallEvent } from '../../proxy/git/ledger.ts';
import { makeRepo } from '../../test-support/repo.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const HUMAN = { type: 'human' };
const claude = { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-opus-4-6' };

async function setup() {
  const repo = await makeRepo();
  writeFileSync(join(repo, 'README'), 'hello\n');
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'initial']);
  const head = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
  const ledger = join(repo, '.git', 'model-ledger');
  const lines: string[] = [];
  const snapshot = async (ts: string, answer: SnapshotEvent['answer']) => {
    const tree = (await snapshotTree(repo, join(repo, '.git', 'index'), 1e7, git))!;
    const e: SnapshotEvent = { ts, kind: 'snapshot', session: 's1', head, tree, answer };
    lines.push(JSON.stringify(e));
  };
  const call = (ts: string, path: string, text: string, tier = 'claude', model_id = 'anthropic/claude-opus-4-6') => {
    const e: ToolCallEvent = {
      ts,
      kind: 'tool_call',
      tier,
      model_id,
      id: `toolu_${ts}`,
      tool: 'Write',
      path,
      head,
      line_hashes: text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map(lineHash),
    };
    lines.push(JSON.stringify(e));
  };
  const commit = async () => {
    writeFileSync(ledger, lines.join('\n') + '\n');
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'work']);
    const note = await attributeCommit(repo, 'HEAD', { ledgerPath: ledger });
    return note?.files.map((f) => [f.path, f.ranges.map((r) => [r.start_line, r.end_line, r.contributor])]) ?? null;
  };
  return { repo, snapshot, call, commit };
}

describe('a snapshot read after the answer it precedes ran its tools', () => {
  it('gives the model the lines its call wrote, though they are in the snapshot of the request that asked for them', async () => {
    const { repo, snapshot, call, commit } = await setup();
    // Request 1 arrives at 0:01 (the first of the conversation: no answer before it); Claude streams a Write at
    // 0:02 and Claude Code runs it; the snapshot of request 1 is read only then, and holds the file.
    call(at(2), 'app.ts', 'a1\na2\na3\n');
    writeFileSync(join(repo, 'app.ts'), 'a1\na2\na3\n');
    await snapshot(at(1), null);
    // Request 2 (the Write's result) at 0:03: the tree did not change, so no snapshot line. The person adds a line.
    writeFileSync(join(repo, 'app.ts'), 'a1\na2\na3\nmine\n');
    expect(await commit()).toEqual([
      [
        'app.ts',
        [
          [1, 3, claude],
          [4, 4, HUMAN],
        ],
      ],
    ]);
  });

  it('gives a line to the call that first wrote it, not to a later Edit that repeats it as its anchor', async () => {
    const { repo, snapshot, call, commit } = await setup();
    // Claude's Write runs before the snapshot of request 1 is read; after the switch, DeepSeek's Edit (anchored on
    // a3: old_string "a3\n", new_string "a3\nb1\n") is streamed before the commit is made, at the same HEAD.
    call(at(2), 'app.ts', 'a1\na2\na3\n');
    writeFileSync(join(repo, 'app.ts'), 'a1\na2\na3\n');
    await snapshot(at(1), null);
    call(at(4), 'app.ts', 'a3\nb1\n', 'deepseek', 'deepseek/deepseek-v4-flash');
    expect(await commit()).toEqual([['app.ts', [[1, 3, claude]]]]);
  });

  it("leaves the person's lines of an interval to the person when no call streamed after its request wrote them", async () => {
    const { repo, snapshot, call, commit } = await setup();
    // A call of an earlier answer (streamed before request 1 arrived) wrote a line equal to one of the person's.
    call(at(0), 'app.ts', 'a1\n');
    writeFileSync(join(repo, 'app.ts'), 'a1\nb1\n');
    await snapshot(at(1), null);
    writeFileSync(join(repo, 'app.ts'), 'a1\nb1\nc1\n');
    await snapshot(at(5), null);
    // A call streamed after request 2 arrived (0:05) writes b1 again: it belongs to a later interval than b1's.
    call(at(6), 'app.ts', 'b1\n');
    expect(await commit()).toBeNull();
  });
});

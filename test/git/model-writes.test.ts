// modelWrites: which changed paths a model wrote, by the ledger's edit lines and the hooks' rule (an edit counts until
// a commit after its head touches its path), in the order of the writes; an edit only in the longer ledger window is
// found; a torn line and other kinds of lines are skipped.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { RECENT_WINDOW, modelWrites, modelsInOrder } from '../../proxy/git/model-writes.ts';
import { commitFile, makeRepo, sha } from '../hooks/repo.ts';

const line = (tier: string, path: string, head: string | null) =>
  JSON.stringify({ ts: '2026-12-08T00:00:00.000Z', kind: 'edit', tier, path, tool: 'Write', id: `toolu_${tier}_${path}`, head }) + '\n';

describe('modelWrites', () => {
  it("counts an edit until a commit since its head touches the path; the others are the person's", async () => {
    const repo = await makeRepo({ initial: true });
    const ledger = join(repo, '.git', 'model-ledger');
    const h0 = await sha(repo);
    writeFileSync(ledger, line('claude', 'taken.txt', h0) + line('deepseek', 'a.txt', h0) + '{"kind":"edit","tier":"x","pa' + '\n');
    await commitFile(repo, 'taken.txt', 'committed since\n', 'Take it');
    appendFileSync(ledger, line('claude', 'a.txt', await sha(repo)) + line('gemini-flash', 'b.txt', null));
    const writes = await modelWrites(repo, ledger, ['a.txt', 'b.txt', 'taken.txt', 'mine.txt'], git);
    expect(writes.map((w) => [w.tier, w.path])).toEqual([
      ['deepseek', 'a.txt'],
      ['claude', 'a.txt'],
      ['gemini-flash', 'b.txt'],
    ]);
    expect(modelsInOrder(writes)).toEqual(['deepseek', 'claude', 'gemini-flash']);
    expect(await modelWrites(repo, join(repo, '.git', 'no-ledger'), ['a.txt'], git)).toEqual([]);
  });

  it('reads the longer window when a changed path has no edit in the last 1 MiB', async () => {
    const repo = await makeRepo({ initial: true });
    const ledger = join(repo, '.git', 'model-ledger');
    const filler = JSON.stringify({ ts: '2026-12-08T00:00:00.000Z', kind: 'usage', tier: 'claude', pad: 'x'.repeat(200) }) + '\n';
    writeFileSync(ledger, line('deepseek', 'old.txt', null) + filler.repeat(Math.ceil((RECENT_WINDOW * 1.5) / filler.length)));
    appendFileSync(ledger, line('claude', 'new.txt', null));
    const writes = await modelWrites(repo, ledger, ['old.txt', 'new.txt'], git);
    expect(writes.map((w) => [w.tier, w.path])).toEqual([
      ['deepseek', 'old.txt'],
      ['claude', 'new.txt'],
    ]);
  });
});

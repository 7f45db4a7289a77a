// modelWrites: which changed paths a model wrote, by the ledger's edit lines and the snapshot lines' `bash_named` (the
// files a model's Bash command named), and the hooks' rule (a write counts until a commit after its head touches its
// path), in the order of the writes; a file changed in a Bash interval that no command named is not counted; a write
// only in the longer ledger window is found; a torn line and other kinds of lines are skipped.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { RECENT_WINDOW, modelWrites, modelsInOrder } from '../../proxy/git/model-writes.ts';
import { commitFile, makeRepo, sha } from '../hooks/repo.ts';

const line = (tier: string, path: string, head: string | null) =>
  JSON.stringify({ ts: '2026-12-08T00:00:00.000Z', kind: 'edit', tier, path, tool: 'Write', id: `toolu_${tier}_${path}`, head }) + '\n';

const snapshot = (tier: string, head: string | null, bashNamed?: string[]) =>
  JSON.stringify({
    ts: '2026-12-08T00:00:00.000Z',
    kind: 'snapshot',
    session: 's',
    head,
    tree: '0'.repeat(40),
    answer: { tier, tools: [{ name: 'Bash', command_sha256: '0'.repeat(64) }] },
    ...(bashNamed ? { bash_named: bashNamed } : {}),
  }) + '\n';

describe('modelWrites', () => {
  it("counts the files a model's Bash command named and changed, by the same rule as edits; unnamed ones stay the person's", async () => {
    const repo = await makeRepo({ initial: true });
    const ledger = join(repo, '.git', 'model-ledger');
    const h0 = await sha(repo);
    writeFileSync(ledger, snapshot('claude', h0, ['taken.txt']) + snapshot('claude', h0) + line('claude', 'b.txt', h0));
    await commitFile(repo, 'taken.txt', 'committed since\n', 'Take it');
    appendFileSync(ledger, snapshot('deepseek', await sha(repo), ['sed.txt', 'b.txt']));
    const writes = await modelWrites(repo, ledger, ['sed.txt', 'b.txt', 'taken.txt', 'generated.txt'], git);
    expect(writes.map((w) => [w.tier, w.path])).toEqual([
      ['claude', 'b.txt'],
      ['deepseek', 'sed.txt'],
      ['deepseek', 'b.txt'],
    ]);
  });

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

// Who wrote a commit: Claude Code's own commits (CLAUDECODE=1) carry the active model; a person's commit carries one
// Model trailer for each model whose recorded edits (ledger `edit` lines) it contains, and none when it has none.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { PERSON, commitFile, edit, makeRepo, message, models, sha, start, stop, switchTo, tags } from './repo.ts';

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

describe('attribution of commits', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', ago(60));
    await switchTo(repo, 'claude', 'gemini-flash', ago(50));
  });

  it("stamps a person's commit with no model when it holds no recorded edit, though a model is active", async () => {
    await commitFile(repo, 'README', 'fixed by hand\n', 'Fix the README', { env: PERSON });
    expect(await models(repo)).toEqual([]);
    expect(await message(repo)).toBe('Fix the README\n\n');
    expect(await tags(repo)).toEqual({});
  });

  it("stamps a person's commit with the model whose edit it contains, and the run tag follows when that model is active", async () => {
    await edit(repo, 'gemini-flash', 'src/app.ts', ago(10));
    await commitFile(repo, 'README', 'by hand\n', 'Only my own work', { env: PERSON });
    expect(await models(repo)).toEqual([]);
    mkdirSync(join(repo, 'src'));
    await commitFile(repo, 'src/app.ts', 'export {};\n', 'Commit what gemini wrote', { env: PERSON });
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(Object.values(await tags(repo))).toEqual([await sha(repo)]);
  });

  it("gives a commit holding two models' edits one Model trailer each, in the order of their edits", async () => {
    await edit(repo, 'claude', 'a.txt', ago(45));
    await edit(repo, 'gemini-flash', 'b.txt', ago(5));
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await git(repo, ['add', 'a.txt', 'b.txt']);
    await git(repo, ['commit', '-q', '-m', 'Both'], { env: PERSON });
    expect(await models(repo)).toEqual(['claude', 'gemini-flash']);
    expect(await message(repo)).toBe('Both\n\nModel: claude\nModel: gemini-flash\n\n');
    expect(await tags(repo)).toEqual({}); // the run tag goes only on a commit of the active model alone
  });

  it('does not count an edit that a later commit of the same path already took', async () => {
    await edit(repo, 'gemini-flash', 'a.txt', ago(40));
    await commitFile(repo, 'a.txt', 'gemini\n', "Take gemini's change", { env: PERSON });
    expect(await models(repo)).toEqual(['gemini-flash']);
    // Later hand edits of a.txt are the person's own, however soon they come.
    await commitFile(repo, 'a.txt', 'gemini\nmine\n', 'My change on top', { env: PERSON });
    expect(await models(repo)).toEqual([]);
  });

  it('counts edits after the proxy stopped: the edits are evidence, the running proxy is not needed', async () => {
    await edit(repo, 'gemini-flash', 'late.txt', ago(20));
    await stop(repo, 'gemini-flash');
    await commitFile(repo, 'late.txt', 'l\n', 'Commit the leftovers', { env: PERSON });
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('stamps a commit Claude Code makes with the active model, edits or not', async () => {
    await commitFile(repo, 'c.txt', 'c\n', 'Claude Code commits', { env: { CLAUDECODE: '1' } });
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('reads paths with spaces and quotes from the ledger', async () => {
    await edit(repo, 'deepseek', 'docs/a "quoted" name.md', ago(10));
    mkdirSync(join(repo, 'docs'));
    await commitFile(repo, 'docs/a "quoted" name.md', 'q\n', 'Odd name', { env: PERSON });
    expect(await models(repo)).toEqual(['deepseek']);
  });

  it('in doubt stamps nothing: an edit whose HEAD git no longer knows (history rewritten) counts only for a path never committed', async () => {
    const gone = 'f'.repeat(40);
    const { ledger } = await import('./repo.ts');
    await commitFile(repo, 'old.txt', 'old\n', 'An old file', { env: PERSON });
    await ledger(repo, { kind: 'edit', tier: 'deepseek', path: 'old.txt', tool: 'Edit', id: 'toolu_gone1', head: gone });
    await ledger(repo, { kind: 'edit', tier: 'deepseek', path: 'new.txt', tool: 'Write', id: 'toolu_gone2', head: gone });
    await commitFile(repo, 'old.txt', 'old\nmore\n', 'Change the old file', { env: PERSON });
    expect(await models(repo)).toEqual([]);
    await commitFile(repo, 'new.txt', 'n\n', 'Add the new file', { env: PERSON });
    expect(await models(repo)).toEqual(['deepseek']);
  });
});

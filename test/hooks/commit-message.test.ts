// prepare-commit-msg on `commit -m` and `-F`: stamps the active model once, and stands aside when it should.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git, gitCommonDir } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { commitFile, makeRepo, message, models, start, stop, subject, switchTo, tempDir } from './repo.ts';

describe('prepare-commit-msg with -m and -F', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
  });

  it('stamps commit -m with the model the ledger names active', async () => {
    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['claude']);
    await switchTo(repo, 'claude', 'gemini-flash');
    await commitFile(repo, 'b.txt', 'b\n', 'Add b');
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(await subject(repo)).toBe('Add b');
  });

  it('keeps the trailer a trailer when a -F message holds a markdown --- line', async () => {
    await start(repo, 'deepseek');
    const file = join(tempDir('msg'), 'msg.md');
    writeFileSync(file, 'Add notes\n\nSummary\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    writeFileSync(join(repo, 'n.md'), 'n\n');
    await git(repo, ['add', 'n.md']);
    await git(repo, ['commit', '-q', '-F', file]);
    expect(await models(repo)).toEqual(['deepseek']);
    expect(await message(repo)).toMatch(/\| 1 \| 2 \|\n\nModel: deepseek\n/);
  });

  it('adds nothing once a stop line says no proxy runs', async () => {
    await start(repo, 'claude');
    await stop(repo);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual([]);
    expect(await message(repo)).toBe('Add a\n\n');
  });

  it('adds nothing when there is no ledger at all', async () => {
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual([]);
  });

  it('adds nothing with FALLBACK_SKIP_HOOKS=1', async () => {
    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a', { env: { FALLBACK_SKIP_HOOKS: '1' } });
    expect(await models(repo)).toEqual([]);
  });

  it('leaves a Model trailer the message already has (the auto-commit) alone', async () => {
    await start(repo, 'gemini-flash');
    await commitFile(repo, 'a.txt', 'a\n', 'Auto-commit before switch to deepseek\n\nModel: claude\nModel-Switch: claude -> deepseek');
    expect(await models(repo)).toEqual(['claude']);
  });

  it('stamps through git commit --trailer without doubling Model', async () => {
    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a', { args: ['--trailer', 'Signed-off-by: Test <test@example.invalid>'] });
    expect(await models(repo)).toEqual(['claude']);
    expect(await message(repo)).toMatch(/Signed-off-by: Test <test@example.invalid>\nModel: claude\n/);
  });

  it('reads the active model past a torn last ledger line and lines of other kinds', async () => {
    await start(repo, 'claude');
    await switchTo(repo, 'claude', 'gemini-flash');
    const file = join(await gitCommonDir(repo), 'model-ledger');
    appendFileSync(
      file,
      JSON.stringify({ ts: new Date().toISOString(), kind: 'external', model: 'x', event_type: 'y', data: { kind: 'stop' } }) + '\n',
    );
    appendFileSync(file, '{"ts":"2026-11-25T13:00:00.000Z","kind":"switch","from":"gemini-flash","to":"deep');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['gemini-flash']);
  });
});

// The editor flow: the user types the subject on line 1 above the pre-filled trailer, which must stay a trailer.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { makeRepo, message, models, script, sha, start, subject, tags, tempDir } from './repo.ts';

/** An editor that writes `lines` at the top of the message file, above whatever git and the hook put there. */
function typingEditor(lines: string): string {
  const dir = tempDir('editor');
  writeFileSync(join(dir, 'typed'), lines);
  return script(join(dir, 'editor.sh'), `cat "${join(dir, 'typed')}" "$1" > "$1.new" && mv "$1.new" "$1"`);
}

describe('prepare-commit-msg in an editor commit', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'gemini-flash');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    await git(repo, ['add', 'a.txt']);
  });

  it('keeps a subject typed on line 1 a subject and Model a trailer', async () => {
    await git(repo, ['commit', '-q'], { env: { GIT_EDITOR: typingEditor('Add a\n') } });
    expect(await subject(repo)).toBe('Add a');
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('keeps the trailer last when the user types a subject and a body', async () => {
    await git(repo, ['commit', '-q'], { env: { GIT_EDITOR: typingEditor('Add a\n\nBecause a was missing.\n') } });
    expect(await message(repo)).toBe('Add a\n\nBecause a was missing.\n\nModel: gemini-flash\n\n');
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('works the same in a verbose commit whose buffer holds the diff below the scissors line', async () => {
    await git(repo, ['commit', '-q', '-v'], { env: { GIT_EDITOR: typingEditor('Add a\n') } });
    expect(await subject(repo)).toBe('Add a');
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(await message(repo)).not.toContain('diff --git');
  });

  it('appends to a commit.template the trailer below its text', async () => {
    const template = join(tempDir('tpl'), 'template.txt');
    writeFileSync(template, 'Area: \n\nWhy:\n');
    await git(repo, ['config', 'commit.template', template]);
    await git(repo, ['commit', '-q'], { env: { GIT_EDITOR: typingEditor('Add a\n\n') } });
    expect(await subject(repo)).toBe('Add a');
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('aborts like git when the user quits the editor without writing a message', async () => {
    const head = await sha(repo);
    const r = await git(repo, ['commit', '-q'], { env: { GIT_EDITOR: 'true' } });
    expect(r.stderr).toContain('Aborting commit due to empty commit message.');
    expect(await sha(repo)).toBe(head);
    expect((await git(repo, ['diff', '--cached', '--name-only'])).stdout).toBe('a.txt\n');
    expect(await tags(repo)).toEqual({});
  });

  it('aborts the same way for the first commit of a repository', async () => {
    const fresh = await makeRepo();
    await installHooks(fresh);
    await start(fresh, 'claude');
    writeFileSync(join(fresh, 'a.txt'), 'a\n');
    await git(fresh, ['add', 'a.txt']);
    await git(fresh, ['commit', '-q'], { env: { GIT_EDITOR: 'true' } });
    expect((await git(fresh, ['rev-parse', '-q', '--verify', 'HEAD'], { reject: false })).exitCode).not.toBe(0);
    expect((await git(fresh, ['diff', '--cached', '--name-only'])).stdout).toBe('a.txt\n');
  });

  it('keeps a commit whose -m message happens to be a Model line', async () => {
    const head = await sha(repo);
    await git(repo, ['commit', '-q', '-m', 'Model: gemini-flash']);
    expect(await sha(repo, 'HEAD~1')).toBe(head);
  });
});

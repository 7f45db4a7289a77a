// prepare-commit-msg is linear in the message: `git commit -v` with a 50,000-line diff below the scissors line, and
// a 3.7 MB message, are stamped like any other (the old loop took minutes on them; the time itself is a bench row).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { makeRepo, message, models, script, start, subject, tempDir } from './repo.ts';

const lines = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`).join('\n') + '\n';

describe('prepare-commit-msg on large messages', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'gemini-flash');
  });

  it('stamps a commit -v whose buffer holds a 50,000-line diff, and leaves the diff out of the message', async () => {
    writeFileSync(join(repo, 'big.txt'), lines(50_000, 'generated line'));
    await git(repo, ['add', 'big.txt']);
    const dir = tempDir('editor');
    const seen = join(dir, 'buffer');
    // The user types a subject on line 1 and keeps a copy of what the editor showed.
    const editor = script(
      join(dir, 'editor.sh'),
      `cp "$1" "${seen}"; { printf 'Add the generated file\\n'; cat "$1"; } > "$1.new" && mv "$1.new" "$1"`,
    );
    await git(repo, ['commit', '-q', '-v'], { env: { GIT_EDITOR: editor } });
    expect(await subject(repo)).toBe('Add the generated file');
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(await message(repo)).toBe('Add the generated file\n\nModel: gemini-flash\n\n');
    const buffer = readFileSync(seen, 'utf8');
    expect(buffer.startsWith('\n\nModel: gemini-flash\n')).toBe(true);
    expect(buffer).toContain('+generated line 49999\n');
  }, 20_000);

  it('stamps a 3.7 MB -F message once, at its end', async () => {
    const file = join(tempDir('msg'), 'msg.txt');
    const body = lines(150_000, 'a long line of the message body, number');
    expect(body.length).toBeGreaterThan(3_700_000);
    writeFileSync(file, `Import the archive\n\n${body}`);
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    await git(repo, ['add', 'a.txt']);
    await git(repo, ['commit', '-q', '-F', file]);
    expect(await models(repo)).toEqual(['gemini-flash']);
    const m = await message(repo);
    expect(m.startsWith(`Import the archive\n\n${body}`)).toBe(true);
    expect(m.endsWith('\nModel: gemini-flash\n\n')).toBe(true);
  }, 20_000);
});

// Assisted-by trailers (git.assisted_by): beside each Model: trailer, `Assisted-by: claude-code:<model id>` from the
// file the proxy keeps while the setting is on (<git common dir>/fallback-models); none without the file.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git, gitCommonDir } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { MODELS_FILE } from '../../proxy/git/assisted-by.ts';
import { PERSON, commitFile, edit, makeRepo, message, script, start, switchTo, tempDir } from './repo.ts';

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

describe('Assisted-by trailers', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', ago(60));
    await switchTo(repo, 'claude', 'gemini-flash', ago(50));
  });
  const modelsFile = async (text: string) => writeFileSync(join(await gitCommonDir(repo), MODELS_FILE), text);

  it("gives a person's commit one Assisted-by per model whose edits it holds, after its Model trailers", async () => {
    await modelsFile('claude anthropic/claude-sonnet-4-5\ngemini-flash google/gemini-2.5-flash\ndeepseek deepseek/deepseek-v4-flash\n');
    await edit(repo, 'claude', 'a.txt', ago(45));
    await edit(repo, 'gemini-flash', 'b.txt', ago(5));
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await git(repo, ['add', 'a.txt', 'b.txt']);
    await git(repo, ['commit', '-q', '-m', 'Both'], { env: PERSON });
    expect(await message(repo)).toBe(
      'Both\n\nModel: claude\nModel: gemini-flash\nAssisted-by: claude-code:anthropic/claude-sonnet-4-5\nAssisted-by: claude-code:google/gemini-2.5-flash\n\n',
    );
    const trailers = await git(repo, ['log', '-1', '--format=%(trailers:key=Assisted-by,valueonly,separator=%x2C)']);
    expect(trailers.stdout.trim()).toBe('claude-code:anthropic/claude-sonnet-4-5,claude-code:google/gemini-2.5-flash');
  });

  it("gives Claude Code's commit the active model's id", async () => {
    await modelsFile('gemini-flash google/gemini-2.5-flash\n');
    await commitFile(repo, 'c.txt', 'c\n', 'By Claude Code');
    expect(await message(repo)).toBe('By Claude Code\n\nModel: gemini-flash\nAssisted-by: claude-code:google/gemini-2.5-flash\n\n');
  });

  it('puts it below the Model trailer in an editor commit too', async () => {
    await modelsFile('gemini-flash google/gemini-2.5-flash\n');
    const dir = tempDir('editor');
    writeFileSync(join(dir, 'typed'), 'Typed subject\n');
    const editor = script(join(dir, 'editor.sh'), `cat "${join(dir, 'typed')}" "$1" > "$1.new" && mv "$1.new" "$1"`);
    writeFileSync(join(repo, 'e.txt'), 'e\n');
    await git(repo, ['add', 'e.txt']);
    await git(repo, ['commit', '-q'], { env: { GIT_EDITOR: editor } });
    expect(await message(repo)).toBe('Typed subject\n\nModel: gemini-flash\nAssisted-by: claude-code:google/gemini-2.5-flash\n\n');
  });

  it('adds none without the file (the setting off), and none for a tier the file does not name', async () => {
    await commitFile(repo, 'd.txt', 'd\n', 'Off');
    expect(await message(repo)).toBe('Off\n\nModel: gemini-flash\n\n');
    await modelsFile('claude anthropic/claude-sonnet-4-5\n');
    await commitFile(repo, 'd.txt', 'dd\n', 'Other tier');
    expect(await message(repo)).toBe('Other tier\n\nModel: gemini-flash\n\n');
  });
});

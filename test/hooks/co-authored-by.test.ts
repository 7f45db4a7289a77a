// Claude Code's `Co-Authored-By: Claude …` line never claims Claude on a commit another tier answered.

import { beforeEach, describe, expect, it } from 'vitest';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { commitFile, makeRepo, message, models, start, switchTo } from './repo.ts';

// The shape Claude Code writes with `git commit -m "$(cat <<'EOF' …)"`.
const CLAUDE_CODE_MESSAGE = [
  'Fix the parser',
  '',
  'Handles CRLF line ends.',
  '',
  '🤖 Generated with [Claude Code](https://claude.com/claude-code)',
  '',
  'Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>',
].join('\n');

describe('Co-Authored-By on a fallback tier', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude');
  });

  it('names the active tier instead of Claude, with an address no account owns', async () => {
    await switchTo(repo, 'claude', 'gemini-flash');
    await commitFile(repo, 'a.txt', 'a\n', CLAUDE_CODE_MESSAGE);
    const text = await message(repo);
    expect(text).not.toMatch(/Co-Authored-By: Claude/i);
    expect(text).toMatch(/\n\nCo-Authored-By: gemini-flash via Claude Code <gemini-flash@fallback.invalid>\nModel: gemini-flash\n/);
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('rewrites the lower-case spelling and the plain "Claude" name as well', async () => {
    await switchTo(repo, 'claude', 'deepseek');
    await commitFile(repo, 'a.txt', 'a\n', 'Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>');
    expect(await message(repo)).toMatch(/\n\nCo-authored-by: deepseek via Claude Code <deepseek@fallback.invalid>\nModel: deepseek\n/);
  });

  it('keeps the line while Claude (the first tier) answers', async () => {
    await commitFile(repo, 'a.txt', 'a\n', CLAUDE_CODE_MESSAGE);
    expect(await message(repo)).toMatch(/Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\nModel: claude\n/);
  });

  it('leaves a human co-author called Claude alone', async () => {
    await switchTo(repo, 'claude', 'gemini-flash');
    await commitFile(repo, 'a.txt', 'a\n', 'Fix\n\nCo-Authored-By: Claude Monet <claude@example.invalid>');
    expect(await message(repo)).toMatch(/Co-Authored-By: Claude Monet <claude@example.invalid>\nModel: gemini-flash\n/);
  });
});

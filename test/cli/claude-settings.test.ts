// What `claude-fallback -- claude` adds to Claude Code's command line: its status line through --settings, and
// never instead of one the user already has.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { isClaude, shQuote, withStatusLine } from '../../proxy/cli/claude-settings.ts';

function setup(userStatusLine?: unknown, projectStatusLine?: unknown) {
  const home = mkdtempSync(join(tmpdir(), 'cs-home-'));
  const repo = mkdtempSync(join(tmpdir(), 'cs-repo-'));
  mkdirSync(join(home, '.claude'));
  mkdirSync(join(repo, '.claude'));
  if (userStatusLine) writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ statusLine: userStatusLine }));
  if (projectStatusLine) writeFileSync(join(repo, '.claude', 'settings.local.json'), JSON.stringify({ statusLine: projectStatusLine }));
  const opts = {
    repo,
    script: "/opt/cf's/statusline.sh",
    file: '/r/.git/fallback-proxy.run',
    nodeCommand: 'node cf',
    env: { HOME: home },
    platform: 'linux' as const,
  };
  return { opts };
}

const settingsOf = (args: string[]) =>
  JSON.parse(args[args.indexOf('--settings') + 1]) as { statusLine: { command: string; padding?: number; refreshInterval?: number } };

describe('the status line for Claude Code', () => {
  it('is added with --settings when the user has none, refreshed every 5 s', () => {
    const { opts } = setup();
    const r = withStatusLine(['--continue'], opts);
    expect(r.args.slice(2)).toEqual(['--continue']);
    expect(settingsOf(r.args).statusLine).toEqual({
      type: 'command',
      command: `sh '/opt/cf'\\''s/statusline.sh' '/r/.git/fallback-proxy.run'`,
      refreshInterval: 5,
    });
    expect(r.note).toBeNull();
  });

  it("keeps the user's own status line: the most specific settings file's runs first, with its padding and interval", async () => {
    const { opts } = setup(
      { type: 'command', command: 'echo user' },
      { type: 'command', command: 'printf \'local %s\' "$(cat | head -c 2)"', padding: 2, refreshInterval: 9 },
    );
    const s = settingsOf(withStatusLine([], opts).args).statusLine;
    expect(s.padding).toBe(2);
    expect(s.refreshInterval).toBe(9);
    expect(s.command).toContain(shQuote('printf \'local %s\' "$(cat | head -c 2)"'));
    // Run as Claude Code would: both lines print, the user's first, on the same input.
    const realScript = join(import.meta.dirname, '..', '..', 'scripts', 'cli', 'statusline.sh');
    const out = await execa('sh', ['-c', s.command.replace(shQuote(opts.script), shQuote(realScript))], { input: '{}', reject: false });
    expect(out.stdout).toBe('local {}\nclaude-fallback: no proxy running for this repository');
  });

  it('adds nothing to a command line that has its own --settings, and says how to add it', () => {
    const { opts } = setup();
    const r = withStatusLine(['--settings', '/x.json'], opts);
    expect(r.args).toEqual(['--settings', '/x.json']);
    expect(r.note).toContain('claude-fallback statusline');
  });

  it('adds nothing when the user already runs ours', () => {
    const { opts } = setup({ type: 'command', command: 'claude-fallback statusline' });
    expect(withStatusLine([], opts)).toEqual({ args: [], note: null });
  });

  it('on Windows adds the node status line only when the user has none, and otherwise keeps theirs with a note', () => {
    const none = setup().opts;
    expect(settingsOf(withStatusLine([], { ...none, platform: 'win32' }).args).statusLine.command).toBe(
      'node cf statusline --file "/r/.git/fallback-proxy.run"',
    );
    const own = setup({ type: 'command', command: 'echo mine' }).opts;
    const r = withStatusLine([], { ...own, platform: 'win32' });
    expect(r.args).toEqual([]);
    expect(r.note).toMatch(/kept your status line/);
  });

  it('recognises Claude Code by the command name only', () => {
    expect(isClaude('claude')).toBe(true);
    expect(isClaude('/usr/local/bin/claude')).toBe(true);
    expect(isClaude('C:\\npm\\claude.cmd')).toBe(true);
    expect(isClaude('claude-fallback')).toBe(false);
    expect(isClaude('sh')).toBe(false);
  });
});

// `claude-fallback -- claude` shows the proxy's status line without the user editing a settings file: Claude
// Code takes `--settings <file-or-json>` ("a JSON string to load additional settings from"; `claude --help`,
// 2.1.197), and its `statusLine` setting is `{type: "command", command, padding?, refreshInterval?}` (the
// settings schema in the same binary; https://code.claude.com/docs/en/statusline). Settings given this way
// take precedence over the user's and the project's files, so a status line the user already has is kept by
// running it first, on the same JSON input, and printing ours below it (Claude Code shows every line printed).
// Not touched: a command line that already has --settings, and a status line that already is ours.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type StatusLineSetting = { type: string; command: string; padding?: number; refreshInterval?: number };
export type FoundStatusLine = { setting: StatusLineSetting; file: string };

/** Where Claude Code reads settings, lowest precedence first (user, project, local). Managed settings win over all. */
export function settingsFiles(repo: string, env: NodeJS.ProcessEnv = process.env): { user: string[]; managed: string } {
  const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
  const managed =
    process.platform === 'darwin'
      ? '/Library/Application Support/ClaudeCode/managed-settings.json'
      : process.platform === 'win32'
        ? 'C:\\Program Files\\ClaudeCode\\managed-settings.json'
        : '/etc/claude-code/managed-settings.json';
  return {
    user: [join(configDir, 'settings.json'), join(repo, '.claude', 'settings.json'), join(repo, '.claude', 'settings.local.json')],
    managed,
  };
}

function statusLineIn(file: string): StatusLineSetting | null {
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { statusLine?: StatusLineSetting };
    return s?.statusLine && typeof s.statusLine.command === 'string' ? s.statusLine : null;
  } catch {
    return null; // Claude Code reports a broken settings file itself
  }
}

/** The status line the user's own settings give this repository (the highest-precedence file that has one). */
export function userStatusLine(
  repo: string,
  env: NodeJS.ProcessEnv = process.env,
): { own: FoundStatusLine | null; managed: FoundStatusLine | null } {
  const files = settingsFiles(repo, env);
  let own: FoundStatusLine | null = null;
  for (const file of files.user) {
    const setting = statusLineIn(file);
    if (setting) own = { setting, file };
  }
  const m = statusLineIn(files.managed);
  return { own, managed: m ? { setting: m, file: files.managed } : null };
}

export function isClaude(command: string): boolean {
  return /^claude(\.exe|\.cmd)?$/i.test(command.split(/[\\/]/).pop() ?? '');
}

export const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export type Injection = { args: string[]; note: string | null };

/**
 * The command's arguments with our `--settings`, and a note to print before it starts (or null).
 * `script` is the status line script (sh) and `file` the proxy's status line file.
 */
export function withStatusLine(
  args: string[],
  opts: { repo: string; script: string; file: string; nodeCommand: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform },
): Injection {
  if (args.some((a) => a === '--settings' || a.startsWith('--settings='))) {
    return {
      args,
      note: `your command has its own --settings: add the proxy's status line there ({"statusLine":{"type":"command","command":"claude-fallback statusline"}})`,
    };
  }
  const { own, managed } = userStatusLine(opts.repo, opts.env);
  if (managed) return { args, note: null }; // the administrator's status line wins whatever we pass
  if (own && /claude-fallback/.test(own.setting.command)) return { args, note: null };
  const platform = opts.platform ?? process.platform;
  let command: string;
  if (platform === 'win32') {
    // No sh to chain with for sure: ours alone, and only when the user has none.
    if (own)
      return { args, note: `kept your status line (${own.file}); to see the proxy's too, run \`claude-fallback statusline\` from it` };
    command = `${opts.nodeCommand} statusline --file "${opts.file}"`;
  } else {
    command = `sh ${shQuote(opts.script)} ${shQuote(opts.file)}${own ? ' ' + shQuote(own.setting.command) : ''}`;
  }
  const setting: StatusLineSetting = { type: 'command', command, refreshInterval: own?.setting.refreshInterval ?? 5 };
  if (own?.setting.padding !== undefined) setting.padding = own.setting.padding;
  return { args: ['--settings', JSON.stringify({ statusLine: setting }), ...args], note: null };
}

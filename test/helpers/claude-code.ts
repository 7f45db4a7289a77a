// The real Claude Code CLI for end-to-end tests: $CLAUDE_CODE_BIN when set, else the npm package
// @anthropic-ai/claude-code installed once into node_modules/.cache (the registry is the only network
// a test may use). Its native binary is taken from the platform package, so a blocked postinstall
// (npm's install-script policy, --ignore-scripts) does not matter.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The version the captured fixtures and the vendor notes were read from. */
export const CLAUDE_CODE_VERSION = '2.1.332';

const CACHE = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', `claude-code-${CLAUDE_CODE_VERSION}`);

function platformBinary(prefix: string): string {
  const arch = process.arch === 'x64' || process.arch === 'arm64' ? process.arch : 'x64';
  const platform = process.platform === 'win32' ? 'win32' : process.platform;
  return join(
    prefix,
    'node_modules',
    '@anthropic-ai',
    `claude-code-${platform}-${arch}`,
    process.platform === 'win32' ? 'claude.exe' : 'claude',
  );
}

function runs(bin: string): boolean {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 }).includes('Claude Code');
  } catch {
    return false;
  }
}

/** The path of a working `claude`, installing it on first use (may take a minute). */
export function ensureClaudeCode(): string {
  const fromEnv = process.env.CLAUDE_CODE_BIN;
  if (fromEnv) {
    if (!runs(fromEnv)) throw new Error(`CLAUDE_CODE_BIN=${fromEnv} does not run (claude --version failed)`);
    return fromEnv;
  }
  const bin = platformBinary(CACHE);
  if (existsSync(bin) && runs(bin)) return bin;
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      CACHE,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
    ],
    { stdio: 'pipe', timeout: 600_000 },
  );
  if (!runs(bin)) throw new Error(`installed @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into ${CACHE}, but ${bin} does not run`);
  return bin;
}

/** What Claude Code needs to run headless against a proxy, and nothing from the developer's own setup. */
export function claudeCodeEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_API_KEY: 'sk-ant-e2e-client-key',
    // No telemetry, update checks or other calls beyond the API (the setup for root).
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ...extra,
  };
}

export type StreamJsonLine = {
  type: string;
  subtype?: string;
  message?: { content?: { type: string; text?: string }[] };
  is_error?: boolean;
  result?: string;
  terminal_reason?: string;
  api_error_status?: number | null;
};

/** The stream-json lines of `claude -p --output-format stream-json` among other stdout lines. */
export function streamJson(stdout: string): StreamJsonLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as StreamJsonLine);
}

/**
 * The version the status-line and edits tests were written against (its status line renders the
 * command's first line first; 2.1.332 differs), installed the same way into its own folder.
 */
export const CLAUDE_CODE_STATUSLINE_VERSION = '2.1.197';

/** The path of a working Claude Code 2.1.197 (test/cli and test/git use it), or $CLAUDE_CODE_BIN. */
export function claudeBin(): string {
  if (process.env.CLAUDE_CODE_BIN) return process.env.CLAUDE_CODE_BIN;
  const dir = join(tmpdir(), `claude-code-${CLAUDE_CODE_STATUSLINE_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'claude');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `@anthropic-ai/claude-code@${CLAUDE_CODE_STATUSLINE_VERSION}`,
      ],
      { stdio: 'pipe' },
    );
  }
  return bin;
}

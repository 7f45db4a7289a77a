// The real Claude Code CLI (npm @anthropic-ai/claude-code, pinned) for the end-to-end tests: installed
// from the npm registry on first use into a folder kept between runs (the package is ~250 MB), or the
// binary CLAUDE_CODE_BIN names.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLAUDE_CODE_VERSION = '2.1.197';

export function claudeBin(): string {
  if (process.env.CLAUDE_CODE_BIN) return process.env.CLAUDE_CODE_BIN;
  const dir = join(tmpdir(), `claude-code-${CLAUDE_CODE_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'claude');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`], { stdio: 'pipe' });
  }
  return bin;
}

// The Debian programs some end-to-end tests drive (Chromium for the dashboard, tmux for Claude Code's screen):
// which are missing, and the one line that says so at the end of a run (describe-with.ts skips the tests).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type Program = 'chromium' | 'tmux';

export const CHROMIUM = '/usr/bin/chromium';

const present: Record<Program, () => boolean> = {
  chromium: () => existsSync(CHROMIUM),
  tmux: () => {
    try {
      execFileSync('tmux', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  },
};

/** The programs among `programs` that this machine lacks. */
export function missingPrograms(programs: readonly Program[] = ['chromium', 'tmux']): Program[] {
  return programs.filter((p) => !present[p]());
}

/** The closing line of a run that skipped tests for missing programs, or null. */
export function skippedLine(missing: readonly Program[]): string | null {
  if (missing.length === 0) return null;
  return `skipped: the tests that need ${missing.join(' and ')} (install: sudo apt-get install -y ${missing.join(' ')})`;
}

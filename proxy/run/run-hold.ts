// The Run's hold on its repository's run file: it claims the file before the proxy listens, writes it whole once
// the proxy listens (where, who started it, the status line text, the active run), rewrites it when the status line
// or the active run changes, and removes it when the proxy stops (docs/processes.md).

import type { ProcessIdentity } from '../git/process-identity.mjs';
import { claimRun, processStart, releaseRun } from './active-run.ts';
import { formatRunFile, writeRunFileAtomic, type RunInfo, type RunLine } from './run-file.ts';

/** What the launcher knows and the proxy does not: its log file, itself, the command it runs. */
export type Launch = { log: string | null; launcher: ProcessIdentity | null; command: string | null };

export type RunHold = {
  readonly commonDir: string;
  readonly identity: ProcessIdentity;
  /** The proxy listens: the run file says where, and from now on carries the status line. */
  listening(info: Omit<RunInfo, keyof Launch> & Partial<Launch>): void;
  /** The status line changed: the run file carries the new text (nothing is written before listening). */
  statusline(text: string): void;
  /** The active run changed (the start line, each switch): line 4 is rewritten at once, for the hooks. */
  activeRun(run: RunLine): void;
  readonly info: RunInfo | null;
  /** The proxy stops: the run file goes. */
  release(): void;
};

export function holdRun(commonDir: string, log: (line: string) => void): RunHold {
  const identity = { pid: process.pid, start: processStart(process.pid) ?? '-' };
  claimRun(commonDir, identity); // throws ProxyRunningError naming the live one
  let info: RunInfo | null = null;
  let line = '';
  let runLine: RunLine | null = null;
  let written = '';
  let released = false;
  const write = () => {
    if (!info || released) return;
    const text = formatRunFile(identity, info, line, runLine);
    if (text === written) return;
    try {
      writeRunFileAtomic(commonDir, text);
      written = text;
    } catch (err) {
      log(`warning: cannot write the run file in ${commonDir}: ${(err as Error).message}`);
    }
  };
  return {
    commonDir,
    identity,
    get info() {
      return info;
    },
    listening(i) {
      info = { log: null, launcher: null, command: null, ...i };
      write();
    },
    statusline(text) {
      line = text;
      write();
    },
    activeRun(run) {
      runLine = run;
      write();
    },
    release() {
      released = true;
      releaseRun(commonDir, identity.pid);
    },
  };
}

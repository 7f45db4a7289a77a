// The run file as the live proxy keeps it, for tests where this process plays the proxy (no side effects on import).

import { rmSync, writeFileSync } from 'node:fs';
import type { LedgerEvent } from '../../proxy/git/ledger.ts';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { stampOf } from '../../proxy/git/run-tag.ts';
import { formatRunFile, readRunFile, runFilePath } from '../../proxy/run/run-file.ts';

/**
 * What the live proxy does to its run file for a start, switch or stop line it writes (proxy/run/run.ts, in the
 * proxy's own format: proxy/run/run-file.ts): a start makes the file whole with line 4, the active run (the identity
 * on line 1 stays the one already there, else this process when the start line names it); a switch rewrites line 4;
 * a stop removes the file. The hooks read the active run from line 4 only.
 */
export function mirrorRunFile(commonDir: string, e: LedgerEvent): void {
  if (e.kind !== 'start' && e.kind !== 'switch' && e.kind !== 'stop') return;
  if (e.kind === 'stop') return rmSync(runFilePath(commonDir), { force: true });
  const current = readRunFile(commonDir);
  if (e.kind === 'switch') {
    if (!current?.info || !current.run) return;
    const run = { ...current.run, tier: e.to, stamp: stampOf(Date.parse(e.ts)) };
    writeFileSync(runFilePath(commonDir), formatRunFile(current, current.info, current.statusline ?? '', run));
    return;
  }
  const identity =
    current?.pid === e.pid ? current : e.pid === process.pid ? { pid: process.pid, start: processStart(process.pid) ?? '-' } : null;
  if (!identity) return;
  const url = `http://127.0.0.1:${e.port}`;
  const info = { port: e.port, host: '127.0.0.1', url, worktree: commonDir, log: null, launcher: null, command: null, started: e.ts };
  writeFileSync(
    runFilePath(commonDir),
    formatRunFile({ pid: identity.pid, start: identity.start }, info, '', {
      tier: e.active,
      stamp: stampOf(Date.parse(e.ts)),
      first: e.tiers[0] ?? '-',
      port: e.port,
    }),
  );
}

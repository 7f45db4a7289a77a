// Whether a process named in a run file is still that process: the one `isAlive` of the node side, plain JavaScript
// so that `claude-fallback statusline` (which loads no TypeScript) uses it too (the hooks' and statusline.sh's copy
// is fb_proxy_alive in hooks/active-run.sh). Types: process-identity.d.mts. A pid alone is not enough: a process
// that later gets the same pid has another start time, and a zombie (exited, not yet reaped) still answers kill -0.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The state and start time of a process, null when it does not exist. On Linux from /proc/<pid>/stat: the state is
 * field 3 and the start time field 22 (clock ticks since boot), both counted after the command name in parentheses,
 * which may hold spaces. Elsewhere from `ps -o stat= -o lstart=`, the start without spaces.
 * @returns {{ state: string, start: string } | null}
 */
function procInfo(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return fields[19] ? { state: fields[0], start: fields[19] } : null;
  } catch (err) {
    if (err.code !== 'ENOENT' || process.platform === 'linux') return null;
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const [state, ...rest] = out.split(/\s+/);
    return state ? { state: state[0], start: rest.join('') } : null;
  } catch {
    return null;
  }
}

/** The start time of a process as run files record it, null when it does not exist. */
export function processStart(pid) {
  return procInfo(pid)?.start ?? null;
}

/** This process's identity, or another's (a child just spawned), null when it is gone. */
export function processIdentity(pid = process.pid) {
  const start = processStart(pid);
  return start === null ? null : { pid, start };
}

/** True when the process runs, is not a zombie, and is the same one (same start time). */
export function isAlive(id) {
  try {
    process.kill(id.pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false; // EPERM: alive, someone else's
  }
  const info = procInfo(id.pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X' && info.start === id.start;
}

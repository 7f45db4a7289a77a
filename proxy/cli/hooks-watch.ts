// The one hooks watcher, run by the proxy process whichever way it was started (`claude-fallback start`,
// `npx zx scripts/start.mjs`): husky's `prepare` script points core.hooksPath back at .husky/_ on every npm install,
// which would silently turn our hooks off (theirs keep running). While the proxy runs, a change of the repository's
// config file runs the installer again (scripts/cli/hooks-setup.mjs --again, a process of its own, so the installer
// runs from its own files whether or not the proxy runs from the bundle), which chains the hooks after the new ones
// and says so.

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';

export type HooksWatchOptions = { repo: string; commonDir: string; setup: string; tagPrefix: string; everyMs?: number };

export function watchHooks(opts: HooksWatchOptions): () => void {
  const config = join(opts.commonDir, 'config');
  const stamp = () => {
    try {
      const s = statSync(config);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return '';
    }
  };
  let seen = stamp();
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stamp() === seen) return;
    busy = true;
    // Its lines go where the proxy's go: the terminal, or the log file when a command owns the terminal.
    const child = spawn(process.execPath, [opts.setup, opts.repo, opts.tagPrefix, '--again'], { stdio: ['ignore', 'inherit', 'inherit'] });
    const done = () => {
      seen = stamp(); // the installer's own change of the config is not a new one
      busy = false;
    };
    child.on('error', done).on('exit', done);
  }, opts.everyMs ?? 2000);
  timer.unref();
  return () => clearInterval(timer);
}

// Notices, without polling git, when the ledger grows or a ref moves: non-recursive file-system watches
// on the few places git and the proxy write (the ledger, HEAD and its reflog, refs/heads, refs/tags,
// packed-refs). Where watching is not possible (no inotify watches left, say) it falls back to a timer.

import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export type RepoWatchOptions = {
  /** `git rev-parse --git-dir`: HEAD and logs/HEAD of this work tree. */
  gitDir: string;
  /** `git rev-parse --git-common-dir`: refs, packed-refs and the ledger, shared by work trees. */
  commonDir: string;
  ledgerName: string;
  onLedger: () => void;
  onRefs: () => void;
  /** Fallback timer period when a watch cannot be set up. */
  pollMs?: number;
};

export type RepoWatch = { readonly polling: boolean; close(): void };

export function watchRepo(opts: RepoWatchOptions): RepoWatch {
  const watchers: FSWatcher[] = [];
  let failed = false;
  const add = (dir: string, pick: (name: string) => (() => void) | null, required: boolean) => {
    try {
      const w = watch(dir, { persistent: false }, (_type, name) => {
        const fire = pick(name === null ? '' : String(name));
        if (fire) fire();
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // A missing logs/ or refs/heads/ (no commit yet) is fine; the other watches still see HEAD move.
      if (required) failed = true;
    }
  };
  const refName = (name: string) => (name.endsWith('.lock') ? null : opts.onRefs);
  const same = opts.gitDir === opts.commonDir;
  add(
    opts.commonDir,
    (name) => (name === opts.ledgerName ? opts.onLedger : name === 'packed-refs' || (same && name === 'HEAD') ? opts.onRefs : null),
    true,
  );
  if (!same) add(opts.gitDir, (name) => (name === 'HEAD' ? opts.onRefs : null), true);
  add(join(opts.gitDir, 'logs'), (name) => (name === 'HEAD' ? opts.onRefs : null), false);
  add(join(opts.commonDir, 'refs', 'heads'), refName, false);
  add(join(opts.commonDir, 'refs', 'tags'), refName, false);

  let timer: NodeJS.Timeout | null = null;
  if (failed) {
    timer = setInterval(() => {
      opts.onLedger();
      opts.onRefs();
    }, opts.pollMs ?? 1000);
    timer.unref();
  }
  return {
    polling: failed,
    close() {
      for (const w of watchers) w.close();
      watchers.length = 0;
      if (timer) clearInterval(timer);
    },
  };
}

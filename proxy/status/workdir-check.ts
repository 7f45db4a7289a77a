// Is Claude Code working in the repository this proxy commits? Its system prompt names the directory it works
// in: `Primary working directory: /path` (Claude Code 2.1.197; read from its bundled prompt builder) or
// `Working directory: /path` in the `<env>` block of earlier versions. A session working elsewhere (a proxy
// for repository A used from repository B) is warned about once, in the log, `status` and the status line,
// and the auto-commit at a switch leaves A alone: A's tree holds none of that session's work.

import { isAbsolute, relative, resolve } from 'node:path';
import type { MessagesRequest } from '../wire/types.ts';
import type { AutoCommit } from '../switcher.ts';

const WORKDIR = /^[ \t]*(?:[-*][ \t]*)?(?:Primary working directory|Working directory):[ \t]*(.+?)[ \t]*$/m;

/** The working directory the request's system prompt names, or null. */
export function workingDirectory(body: Pick<MessagesRequest, 'system'>): string | null {
  const system = body.system as unknown;
  const texts: string[] = [];
  if (typeof system === 'string') texts.push(system);
  else if (Array.isArray(system))
    for (const b of system)
      if (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string') texts.push((b as { text: string }).text);
  for (const t of texts) {
    if (!t.includes('orking directory:')) continue; // the regex only runs on the block that has it
    const m = WORKDIR.exec(t);
    if (m) return m[1];
  }
  return null;
}

/** `dir` is `repo` or inside it. */
export function isInside(repo: string, dir: string, platform = process.platform): boolean {
  const fold = (p: string) => (platform === 'win32' || platform === 'darwin' ? p.toLowerCase() : p);
  const rel = relative(fold(resolve(repo)), fold(resolve(dir)));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export type WorkdirWarning = { dir: string; repo: string; message: string; at: string };

export type WorkdirCheck = {
  /** Looks at one request; logs the first time a session works outside the repository. */
  observe(body: { system?: MessagesRequest['system'] }): void;
  /** The latest request's directory when it is outside the repository. */
  warning(): WorkdirWarning | null;
  /** The auto-commit, skipped while the latest request came from outside the repository. */
  guard(autoCommit: AutoCommit): AutoCommit;
  onChange(listener: () => void): void;
};

export function createWorkdirCheck(repo: string, log: (line: string) => void): WorkdirCheck {
  let current: WorkdirWarning | null = null;
  let lastDir: string | null = null;
  const warned = new Set<string>();
  const listeners: (() => void)[] = [];
  return {
    observe(body) {
      const dir = workingDirectory(body);
      if (dir === null || dir === lastDir) return;
      lastDir = dir;
      const before = current;
      if (isInside(repo, dir)) current = null;
      else {
        const message = `Claude Code works in ${dir}, outside this proxy's repository ${repo}: no auto-commit at a switch (start claude-fallback in ${dir} for that repository)`;
        current = { dir, repo, message, at: new Date().toISOString() };
        if (!warned.has(dir)) {
          warned.add(dir);
          log(`warning: ${message}`);
        }
      }
      if (before?.dir !== current?.dir) for (const l of listeners) l();
    },
    warning: () => current,
    guard(autoCommit) {
      return async (opts) => {
        if (current)
          return { commit: null, tag: null, warning: `auto-commit skipped: Claude Code works in ${current.dir}, outside ${repo}` };
        return autoCommit(opts);
      };
    },
    onChange: (l) => void listeners.push(l),
  };
}

// Which files each model wrote (docs/git.md, "Who wrote what"). Claude Code's file tools name the file in their
// input (Write, Edit, MultiEdit: `file_path`; NotebookEdit: `notebook_path`, absolute paths); once the
// tool_result of that call comes back without `is_error`, the write happened. Every request carries the whole
// conversation, so each call is recorded once, by its tool_use id, as a ledger `edit` line with the path
// relative to the repository and the commit HEAD was at then. prepare-commit-msg reads them to stamp a person's
// commit with the models whose edits it contains: an edit counts until a commit after that HEAD touches its path.
// Edits made through Bash commands (sed -i, a script) are not seen.

import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { MessagesRequest } from '../wire/types.ts';
import type { LedgerWriter } from './ledger.ts';

/** Claude Code's tools that write one file, and the input field that names it. */
export const FILE_TOOLS: Readonly<Record<string, string>> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

export type EditRecorder = {
  /**
   * Records the file tool calls of this conversation whose result arrived and is not an error, and that are
   * not recorded yet, as written by `tier` (the model active when the result comes back: the one that made
   * the call, unless a switch happened in between). Cheap: one pass over the parsed body, no I/O unless new.
   */
  record(body: MessagesRequest, tier: string): void;
};

export function createEditRecorder(opts: { repo: string; ledger: LedgerWriter; log: (line: string) => void }): EditRecorder {
  const repo = resolve(opts.repo);
  let realRepo: string | null = null;
  const seen = recordedIds(opts.ledger.path);
  const gitDir = execFileSync('git', ['-C', repo, 'rev-parse', '--absolute-git-dir'], { encoding: 'utf8' }).trim();
  const commonDir = dirname(opts.ledger.path);

  /** The path relative to the repository with "/" separators, or null when the file is outside it. */
  function inRepo(path: string): string | null {
    const abs = isAbsolute(path) ? path : resolve(repo, path);
    let rel = relative(repo, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      // Claude Code may know the repository by another name (a symlink): compare real paths.
      try {
        realRepo ??= realpathSync(repo);
        rel = relative(realRepo, resolve(realpathSync(dirname(abs)), basename(abs)));
      } catch {
        return null;
      }
      if (rel.startsWith('..') || isAbsolute(rel)) return null;
    }
    return rel === '' ? null : rel.split(sep).join('/');
  }

  return {
    record(body, tier) {
      let calls: Map<string, { tool: string; path: unknown }> | null = null;
      let head: string | null | undefined;
      for (const message of body.messages) {
        if (!Array.isArray(message.content)) continue;
        for (const block of message.content) {
          if (block.type === 'tool_use') {
            const field = Object.hasOwn(FILE_TOOLS, block.name) ? FILE_TOOLS[block.name] : undefined;
            if (field && !seen.has(block.id)) (calls ??= new Map()).set(block.id, { tool: block.name, path: (block.input as Record<string, unknown>)?.[field] });
          } else if (block.type === 'tool_result' && calls?.has(block.tool_use_id)) {
            const call = calls.get(block.tool_use_id)!;
            calls.delete(block.tool_use_id);
            seen.add(block.tool_use_id);
            if (block.is_error === true) continue; // the tool refused: nothing was written
            const path = typeof call.path === 'string' && call.path !== '' ? inRepo(call.path) : null;
            if (path === null) continue;
            if (head === undefined) head = readHead(repo, gitDir, commonDir);
            opts.ledger
              .append({ kind: 'edit', tier, path, tool: call.tool, id: block.tool_use_id, head })
              .catch((err: Error) => opts.log(`warning: ledger write failed: ${err.message}`));
          }
        }
      }
    },
  };
}

/** The tool_use ids the ledger already has edit lines for: a restarted proxy sees the same conversation again. */
function recordedIds(ledgerFile: string): Set<string> {
  const ids = new Set<string>();
  let text: string;
  try {
    text = readFileSync(ledgerFile, 'utf8');
  } catch {
    return ids;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"kind":"edit"')) continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') ids.add(id);
    } catch {}
  }
  return ids;
}

/**
 * The commit HEAD points at, or null before the first commit: read from the files git keeps it in (HEAD, the
 * branch's loose ref, packed-refs; https://git-scm.com/docs/gitrepository-layout), which costs a few small reads
 * on the request path; `git rev-parse` only when the files say nothing (another ref storage).
 */
export function readHead(repo: string, gitDir: string, commonDir: string): string | null {
  const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const head = read(join(gitDir, 'HEAD'));
  if (head !== null && SHA.test(head)) return head;
  const ref = head?.startsWith('ref: ') ? head.slice(5) : null;
  if (ref !== null) {
    const loose = read(join(gitDir, ref)) ?? read(join(commonDir, ref));
    if (loose !== null && SHA.test(loose)) return loose;
    for (const line of (read(join(commonDir, 'packed-refs')) ?? '').split('\n')) {
      const [sha, name] = line.split(' ');
      if (name === ref && SHA.test(sha)) return sha;
    }
  }
  try {
    return execFileSync('git', ['-C', repo, 'rev-parse', '-q', '--verify', 'HEAD^{commit}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null; // no commit yet
  }
}

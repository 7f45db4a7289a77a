// Which files each model wrote (docs/git.md, "Who wrote what"). Claude Code's file tools name the file in their
// input (Write, Edit, MultiEdit: `file_path`; NotebookEdit: `notebook_path`, absolute paths); once the
// tool_result of that call comes back without `is_error`, the write happened. Every request carries the whole
// conversation, so each call is recorded once, by its tool_use id, as a ledger `edit` line with the path
// relative to the repository and the commit HEAD was at then. prepare-commit-msg reads them to stamp a person's
// commit with the models whose edits it contains: an edit counts until a commit after that HEAD touches its path.
// The tier recorded is the one that wrote the call (the engine notes each tool_use id it relays: proxy/attribution/
// tool-tiers.ts), or the active one when the id is not known (a proxy started again mid-conversation).
// Edits made through Bash commands (sed -i, a script) are seen by the snapshots (proxy/attribution/snapshots.ts).
// Nothing of it runs on the request's path: `record` only queues the body; the walk, the ids already recorded (from
// the ledger's summary, proxy/ledger/) and HEAD (read with fs/promises) come after the request has gone on.

import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { MessagesRequest } from '../wire/types.ts';
import { git } from './git.ts';
import type { LedgerWriter } from './ledger.ts';
import { sharedLedgerIndex } from '../ledger/ledger-index.ts';
import type { ToolTiers } from '../attribution/tool-tiers.ts';

/** Claude Code's tools that write one file, and the input field that names it. */
export const FILE_TOOLS: Readonly<Record<string, string>> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

export type EditRecorder = {
  /**
   * Queues the file tool calls of this conversation whose result arrived and is not an error, and that are not
   * recorded yet, to be recorded as written by the tier that made the call (`toolTiers`), or by `tier` (the one
   * active now) when that is not known. Returns at once: no work, no I/O on the caller's path.
   */
  record(body: MessagesRequest, tier: string): void;
  /** Resolves once everything queued so far is recorded (its ledger lines queued on the writer). */
  settled(): Promise<void>;
};

export type EditRecorderOptions = {
  repo: string;
  ledger: LedgerWriter;
  log: (line: string) => void;
  /** Test seam: awaited before each queued recording (a test holds it to prove the answer does not wait). */
  beforeRecord?: () => Promise<void>;
  /** Which tier wrote each tool call, as the engine relayed it. */
  toolTiers?: ToolTiers;
};

export function createEditRecorder(opts: EditRecorderOptions): EditRecorder {
  const repo = resolve(opts.repo);
  const commonDir = dirname(opts.ledger.path);
  let realRepo: Promise<string> | null = null;
  let known: Promise<(id: string) => boolean> | null = null;
  let gitDir: Promise<string | null> | null = null;
  /** Ids recorded (or refused) by this process; the ledger's earlier ones come from its summary. */
  const seen = new Set<string>();
  let queue: Promise<void> = Promise.resolve();

  /** The path relative to the repository with "/" separators, or null when the file is outside it. */
  async function inRepo(path: string): Promise<string | null> {
    const abs = isAbsolute(path) ? path : resolve(repo, path);
    let rel = relative(repo, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      // Claude Code may know the repository by another name (a symlink): compare real paths.
      try {
        realRepo ??= realpath(repo);
        rel = relative(await realRepo, resolve(await realpath(dirname(abs)), basename(abs)));
      } catch {
        return null;
      }
      if (rel.startsWith('..') || isAbsolute(rel)) return null;
    }
    return rel === '' ? null : rel.split(sep).join('/');
  }

  async function recordNow(body: MessagesRequest, tier: string): Promise<void> {
    let calls: Map<string, { tool: string; path: unknown }> | null = null;
    const done: { id: string; tool: string; path: unknown }[] = [];
    for (const message of body.messages) {
      if (!Array.isArray(message.content)) continue;
      for (const block of message.content) {
        if (block.type === 'tool_use') {
          const field = Object.hasOwn(FILE_TOOLS, block.name) ? FILE_TOOLS[block.name] : undefined;
          if (field && !seen.has(block.id))
            (calls ??= new Map()).set(block.id, { tool: block.name, path: (block.input as Record<string, unknown>)?.[field] });
        } else if (block.type === 'tool_result' && calls?.has(block.tool_use_id)) {
          const call = calls.get(block.tool_use_id)!;
          calls.delete(block.tool_use_id);
          seen.add(block.tool_use_id);
          if (block.is_error === true) continue; // the tool refused: nothing was written
          done.push({ id: block.tool_use_id, ...call });
        }
      }
    }
    if (done.length === 0) return;
    // A restarted proxy sees the same conversation again: the ids the ledger has, from its summary.
    known ??= sharedLedgerIndex(opts.ledger.path, { log: opts.log })
      .refresh()
      .then((agg) => agg.hasEdit);
    const recorded = await known;
    let head: string | null | undefined;
    for (const call of done) {
      if (recorded(call.id)) continue;
      const path = typeof call.path === 'string' && call.path !== '' ? await inRepo(call.path) : null;
      if (path === null) continue;
      if (head === undefined) {
        gitDir ??= git(repo, ['rev-parse', '--absolute-git-dir'], { reject: false }).then((r) =>
          r.exitCode === 0 ? r.stdout.trim() : null,
        );
        head = await readHead(repo, (await gitDir) ?? join(repo, '.git'), commonDir);
      }
      const writer = opts.toolTiers?.get(call.id)?.tier ?? tier;
      opts.ledger
        .append({ kind: 'edit', tier: writer, path, tool: call.tool, id: call.id, head })
        .catch((err: Error) => opts.log(`warning: ledger write failed: ${err.message}`));
    }
  }

  return {
    record(body, tier) {
      queue = queue
        .then(() => (opts.beforeRecord ? opts.beforeRecord() : new Promise<void>((r) => setImmediate(r))))
        .then(() => recordNow(body, tier))
        .catch((err: Error) => opts.log(`warning: recording edits failed: ${err.message}`));
    },
    settled: () => queue,
  };
}

/**
 * The commit HEAD points at, or null before the first commit: read from the files git keeps it in (HEAD, the
 * branch's loose ref, packed-refs; https://git-scm.com/docs/gitrepository-layout), which costs a few small reads
 * off the request path, with fs/promises; `git rev-parse` only when the files say nothing (another ref storage).
 */
export async function readHead(repo: string, gitDir: string, commonDir: string): Promise<string | null> {
  const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
  const read = (file: string) =>
    readFile(file, 'utf8').then(
      (t) => t.trim(),
      () => null,
    );
  const head = await read(join(gitDir, 'HEAD'));
  if (head !== null && SHA.test(head)) return head;
  const ref = head?.startsWith('ref: ') ? head.slice(5) : null;
  if (ref !== null) {
    const loose = (await read(join(gitDir, ref))) ?? (await read(join(commonDir, ref)));
    if (loose !== null && SHA.test(loose)) return loose;
    for (const line of ((await read(join(commonDir, 'packed-refs'))) ?? '').split('\n')) {
      const [sha, name] = line.split(' ');
      if (name === ref && SHA.test(sha)) return sha;
    }
  }
  const r = await git(repo, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { reject: false }).catch(() => null);
  return (r?.exitCode === 0 && r.stdout.trim()) || null; // null: no commit yet
}

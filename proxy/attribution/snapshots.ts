// Snapshots of the work tree at request boundaries (docs/git.md, "Line attribution notes"). When a request of a
// Claude Code session arrives, the tools of the answer before it have run: the tree then, written with a temporary
// index (a copy of the user's, `git add -A`, `git write-tree`: the user's index is never written), is a ledger
// `snapshot` line with the session, HEAD, and that answer's tools (tier, tool names, the paths file tools named, a
// hash of each Bash command) — so edits made through Bash count too. Nothing runs on the request's path: `record`
// queues the body, the git commands come after (each dies with the proxy: `tied`). A tree equal to the previous
// snapshot's is not recorded. Trees are unreachable loose objects: git gc keeps them two weeks (gc.pruneExpire),
// and a note needs them only until the next commit. `record` returns the request's tools barrier: the relay holds the
// answer's first tool call until this snapshot has read the tree (at most TOOLS_HOLD_MS), so the tools Claude Code
// runs from that answer never land before the snapshot that should precede them.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { git as runGit, type GitOptions } from '../git/git.ts';
import { FILE_TOOLS, readHead } from '../git/edits.ts';
import { WITHOUT_HOOKS, operationsIn } from '../git/git-state.ts';
import { DEFAULT_MAX_FILE_SIZE, leftOutOf } from '../git/left-out.ts';
import type { LedgerWriter, SnapshotEvent, SnapshotTool } from '../git/ledger.ts';
import type { MessagesRequest } from '../wire/types.ts';
import type { ToolTiers, ToolWriter } from './tool-tiers.ts';

export type SnapshotRecorder = {
  /**
   * Queues a snapshot for this request (a session's main loop: a request that offers tools). Returns at once: null for
   * a side request, else the tools barrier, to be called when the answer's first tool call is about to go out. It resolves once this
   * snapshot has read the work tree (or failed), or after `toolsHoldMs`, whichever comes first; a late one is logged
   * and counted (`lateToolHolds`).
   */
  record(body: MessagesRequest, session: string | null): ToolsBarrier | null;
  /** How many answers' tool calls went out before their request's snapshot had read the tree (the bound ran out). */
  lateToolHolds(): number;
  /** Resolves once every snapshot queued so far is taken and its ledger line queued on the writer. */
  settled(): Promise<void>;
};

export type SnapshotRecorderOptions = {
  repo: string;
  ledger: LedgerWriter;
  toolTiers: ToolTiers;
  /** The tier active now: names an answer whose tool ids were not relayed by this process (a restart). */
  active: () => ToolWriter;
  log: (line: string) => void;
  maxFileSize?: number;
  gitTimeoutMs?: number;
  /** The most an answer's tool calls wait for their request's snapshot (TOOLS_HOLD_MS). */
  toolsHoldMs?: number;
  /** Test seam: awaited before each snapshot reads the tree (a slow `git add -A`: a big repository, a loaded machine). */
  beforeTreeRead?: () => Promise<void>;
};

/** Called when an answer's first tool call is about to go out; resolves when it may. */
export type ToolsBarrier = () => Promise<void>;

/** The most an answer's tool calls wait for their request's snapshot: far more than `git add -A` takes in a usual repository. */
export const TOOLS_HOLD_MS = 2000;

type Answer = NonNullable<SnapshotEvent['answer']>;
type Pending = { answer: Answer | null; commands: string[] };

export function createSnapshotRecorder(opts: SnapshotRecorderOptions): SnapshotRecorder {
  const repo = resolve(opts.repo);
  const timeoutMs = opts.gitTimeoutMs ?? 20_000;
  const git = (cwd: string, args: string[], o: GitOptions = {}) => runGit(cwd, args, { timeoutMs, ...o, tied: true });
  let where: Promise<{ top: string; gitDir: string; index: string; commonDir: string }> | undefined;
  let lastTree: string | null = null;
  let queue: Promise<void> = Promise.resolve();

  const dirs = () =>
    (where ??= git(repo, ['rev-parse', '--show-toplevel', '--git-dir', '--git-path', 'index', '--git-common-dir']).then((r) => {
      const [top, gitDir, index, commonDir] = r.stdout.split('\n').map((p) => resolve(repo, p));
      return { top, gitDir, index, commonDir };
    }));
  dirs().catch(() => {}); // known before the first request, so its HEAD is read at once

  /** HEAD and the tree, read as soon as the request arrives (not behind earlier snapshots): a switch's auto-commit may follow within milliseconds. */
  async function capture(): Promise<{ head: string | null; tree: string | null; top: string } | null> {
    const w = await dirs();
    // HEAD first: an auto-commit made meanwhile must not make this tree look like its own.
    const head = await readHead(w.top, w.gitDir, w.commonDir);
    if (operationsIn(w.gitDir).length > 0) return null; // a merge or rebase half done: the tree is git's, not a tool's
    await opts.beforeTreeRead?.();
    const tree = await snapshotTree(w.top, w.index, opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, git);
    return { head, tree, top: w.top };
  }

  /** In request order: compared with the previous snapshot, the files Bash commands named, the ledger line. */
  async function finish(session: string | null, answerNow: Pending, taken: Awaited<ReturnType<typeof capture>>, ts: string): Promise<void> {
    if (taken === null || taken.tree === null || taken.tree === lastTree) return;
    const { head, tree, top } = taken;
    const before = lastTree ?? (head ? `${head}^{tree}` : null);
    lastTree = tree;
    // `ts` is the request's arrival: the boundary, which the answer's tool_call lines come after.
    const event: SnapshotEvent = { ts, kind: 'snapshot', session, head, tree, answer: answerNow.answer };
    if (answerNow.commands.length > 0) {
      const changed = before
        ? (await git(top, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', before, tree], { reject: false })).stdout
        : (await git(top, ['ls-tree', '-r', '-z', '--name-only', tree], { reject: false })).stdout;
      const named = changed.split('\0').filter((p) => p !== '' && answerNow.commands.some((c) => namesPath(c, p, top)));
      if (named.length > 0) event.bash_named = named;
    }
    opts.ledger.append(event).catch((err: Error) => opts.log(`warning: ledger write failed: ${err.message}`));
  }

  let late = 0;
  const toolsHoldMs = opts.toolsHoldMs ?? TOOLS_HOLD_MS;
  /** The tools barrier of a snapshot whose tree read is `read`: one wait per request, however many tiers answer it. */
  const barrier = (read: Promise<unknown>): ToolsBarrier => {
    let waited: Promise<void> | undefined;
    return () => (waited ??= wait(read));
  };
  const wait = (read: Promise<unknown>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        late++;
        opts.log(
          `warning: the work tree snapshot took over ${toolsHoldMs} ms: an answer's tool call went out before it (its tools may count in the interval before)`,
        );
        resolve();
      }, toolsHoldMs);
    });
    const done = read.then(
      () => {},
      () => {},
    );
    return Promise.race([done, bound]).finally(() => clearTimeout(timer));
  };

  return {
    lateToolHolds: () => late,
    record(body, session) {
      if (!Array.isArray(body.tools) || body.tools.length === 0) return null; // a side request (a title, a quota check)
      // Read now, while the request is the proxy's: which answer's tools ran, and the tier that wrote them.
      const pending = answerBefore(body, repo, opts.toolTiers, opts.active);
      const ts = new Date().toISOString();
      const taken = new Promise<void>((r) => setImmediate(r)).then(capture);
      taken.catch(() => {});
      queue = queue
        .then(() => taken)
        .then((t) => finish(session, pending, t, ts))
        .catch((err: Error) => opts.log(`warning: work tree snapshot failed: ${err.message}`));
      return barrier(taken);
    },
    settled: () => queue,
  };
}

/**
 * The answer whose tools ran before this request: the tool calls of the last assistant message whose results the
 * user messages after it carry. Null when there is no assistant message before it (a conversation's first
 * request); no tools when that message carries no result (the person's new prompt). Claude Code may carry several
 * answers in one assistant message (it merges them by message id): only the calls whose results just came count.
 * Bash commands are kept in memory only, to find the paths they name; the ledger gets their hash.
 */
export function answerBefore(body: MessagesRequest, repo: string, tiers: ToolTiers, active: () => ToolWriter): Pending {
  const messages = body.messages;
  // The user's turn may be several messages (Claude Code 2.1.332 sends its reminder as a trailing `system` message,
  // apart from the results): everything after the last assistant message.
  let at = messages.length;
  while (at > 0 && messages[at - 1].role !== 'assistant') at--;
  const prev = messages[at - 1];
  if (at === messages.length || !prev || !Array.isArray(prev.content)) return { answer: null, commands: [] };
  const results = new Set(
    messages
      .slice(at)
      .flatMap((m) => (Array.isArray(m.content) ? m.content.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])) : [])),
  );
  const tools: SnapshotTool[] = [];
  const commands: string[] = [];
  let writer: ToolWriter | undefined;
  for (const block of prev.content) {
    if (block.type !== 'tool_use' || !results.has(block.id)) continue;
    writer ??= tiers.get(block.id);
    const input = (block.input ?? {}) as Record<string, unknown>;
    const field = Object.hasOwn(FILE_TOOLS, block.name) ? FILE_TOOLS[block.name] : undefined;
    if (field) {
      const path = typeof input[field] === 'string' ? repoPath(repo, input[field] as string) : null;
      tools.push(path === null ? { name: block.name } : { name: block.name, path });
    } else if (block.name === 'Bash' && typeof input.command === 'string') {
      commands.push(input.command);
      tools.push({ name: 'Bash', command_sha256: createHash('sha256').update(input.command).digest('hex') });
    } else tools.push({ name: block.name });
  }
  const who = writer ?? active();
  return { answer: { tier: who.tier, ...(who.model_id ? { model_id: who.model_id } : {}), tools }, commands };
}

/** A path relative to the repository with "/" separators, or null outside it. */
function repoPath(repo: string, path: string): string | null {
  const rel = relative(repo, isAbsolute(path) ? path : resolve(repo, path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

/**
 * True when a Bash command names the file: its path relative to the repository, its absolute path, or its file name
 * as a whole word (`cd src && sed -i … app.ts`).
 */
export function namesPath(command: string, path: string, top: string): boolean {
  if (command.includes(path) || command.includes(join(top, path))) return true;
  const name = basename(path);
  const at = command.indexOf(name);
  if (at < 0) return false;
  const word = /[A-Za-z0-9_.\-/]/;
  for (let i = at; i >= 0; i = command.indexOf(name, i + 1)) {
    const before = i === 0 ? '' : command[i - 1];
    const after = command[i + name.length] ?? '';
    if ((before === '' || before === '/' || !word.test(before)) && (after === '' || !word.test(after))) return true;
  }
  return false;
}

/**
 * The work tree as a tree id, through a temporary copy of the index (its cached stats make `add -A` hash only what
 * changed); files the auto-commit leaves out (secrets by name, big files) are left out here too. Null on failure.
 */
export async function snapshotTree(
  top: string,
  index: string,
  maxFileSize: number,
  git: (cwd: string, args: string[], o?: GitOptions) => ReturnType<typeof runGit>,
): Promise<string | null> {
  const scratch = mkdtempSync(join(tmpdir(), 'fallback-snapshot-'));
  try {
    const scratchIndex = join(scratch, 'index');
    if (existsSync(index)) copyFileSync(index, scratchIndex);
    const inScratch = (args: string[], input?: string) =>
      git(top, [...WITHOUT_HOOKS, '-c', 'core.splitIndex=false', ...args], { env: { GIT_INDEX_FILE: scratchIndex }, input, reject: false });
    const changed = await inScratch(['ls-files', '-z', '--modified', '--others', '--exclude-standard']);
    if (changed.exitCode !== 0) return null;
    const leftOut = leftOutOf(
      top,
      changed.stdout.split('\0').filter((p) => p !== ''),
      maxFileSize,
    );
    const pathspecs = [':/', ...leftOut.map((l) => `:(exclude,literal)${l.path}`)];
    const added = await inScratch(['add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], pathspecs.join('\0') + '\0');
    if (added.exitCode !== 0) return null;
    const tree = await inScratch(['write-tree']);
    return tree.exitCode === 0 ? tree.stdout.trim() : null;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The append-only model ledger, `<git common dir>/model-ledger` (docs/ledger.md): JSON Lines, one complete
// line per write(2), so concurrent writers never interleave; a crash leaves at most a torn last line, and the
// next writer starts on a fresh line so the torn one never swallows it.

import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';

export type SwitchReason =
  | 'rate_limit'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'billing'
  /** A lower tier refused REFUSAL_STREAK requests of one kind in a row (proxy/engine/fallback-policy.ts). */
  | 'refused'
  /** The tier's spend reached its `budget` for the period (proxy/run/budgets.ts). */
  | 'budget'
  /** The tier answered, but its Claude subscription window crossed `fallback.switch_before` (proxy/engine/quota-policy.ts). */
  | 'quota'
  | 'recovered'
  | 'manual'
  | 'external';

export type StartEvent = { ts: string; kind: 'start'; active: string; tiers: string[]; pid: number; port: number };
export type SwitchEvent = {
  ts: string;
  kind: 'switch';
  from: string;
  to: string;
  reason: SwitchReason;
  status?: number;
  retry_at?: string;
  commit?: string | null;
  tag?: string | null;
  /** Why there is no auto-commit (an operation in progress, a busy index, a failure). */
  commit_skipped?: string;
};
export type UsageEvent = {
  ts: string;
  kind: 'usage';
  tier: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  ms: number;
  stream: boolean;
  /** Present (true) when the answer ended before its end (no message_stop, an error event, a client abort). */
  incomplete?: true;
  /** USD, priced when the line was written (proxy/prices.ts); absent when the price was unknown (never 0 for that). */
  cost_usd?: number;
  /** The routing rule that planned the request (docs/routing.md); absent for a request no rule matched. */
  route?: string;
};
/**
 * A routing rule sent a session's requests to a tier other than tier 0, or to another tier than before
 * (docs/routing.md): one line per change, not per request. `main`: the session's main conversation.
 */
export type RouteEvent = { ts: string; kind: 'route'; rule: string; tier: string; session?: string; main?: true };
export type StopEvent = { ts: string; kind: 'stop'; active: string | null };
/** A tier's recorded spend reached its `budget`: it rests until `until`, the end of its UTC period (proxy/run/budgets.ts). */
export type BudgetEvent = { ts: string; kind: 'budget'; tier: string; amount: number; per: string; spent: number; until: string };
export type ExternalEvent = { ts: string; kind: 'external'; model: string; event_type: string; active?: string };
/**
 * A file a model wrote through one of Claude Code's file tools, relative to the repository, and the commit HEAD was
 * at then (null before the first commit): a commit after it that touches the path took the edit (proxy/git/edits.ts).
 */
export type EditEvent = { ts: string; kind: 'edit'; tier: string; path: string; tool: string; id: string; head: string | null };
/** One tool call of the answer whose tools ran in a snapshot's interval: a file tool's path, a Bash command's hash. */
export type SnapshotTool = { name: string; path?: string; command_sha256?: string };
/**
 * The work tree at a request boundary of a Claude Code session (proxy/attribution/snapshots.ts): `tree` is a tree
 * id written with a temporary index (kept only as a loose object), `head` the commit HEAD was at, `answer` the
 * answer whose tools ran since the previous snapshot (null: no answer before this request), `bash_named` the files
 * changed in the interval that one of its Bash commands names.
 */
export type SnapshotEvent = {
  ts: string;
  kind: 'snapshot';
  session: string | null;
  head: string | null;
  tree: string;
  answer: { tier: string; model_id?: string; tools: SnapshotTool[] } | null;
  bash_named?: string[];
};
/**
 * A file tool call as the model made it, before it ran (proxy/attribution/tool-calls.ts): the tier that wrote it,
 * the path, HEAD then, and a short hash of each non-empty line the call writes. A commit made in the same answer
 * (before any snapshot holds the call's change) finds its lines by these.
 */
export type ToolCallEvent = {
  ts: string;
  kind: 'tool_call';
  tier: string;
  model_id?: string;
  id: string;
  tool: string;
  path: string;
  head: string | null;
  line_hashes: string[];
};
export type AcceptEvent = { ts: string; kind: 'accept'; model: string; commits: string[]; tags: string[] };
export type RollbackEvent = {
  ts: string;
  kind: 'rollback';
  model: string;
  commits: string[];
  revert_commit: string | null;
  tags: string[];
};
export type TestEvent = { ts: string; kind: 'test'; model: string; commits: string[]; command: string; passed: boolean; exit_code: number };
export type ReviewEvent = AcceptEvent | RollbackEvent | TestEvent;

export type LedgerEvent =
  | StartEvent
  | SwitchEvent
  | UsageEvent
  | RouteEvent
  | StopEvent
  | ExternalEvent
  | EditEvent
  | SnapshotEvent
  | ToolCallEvent
  | ReviewEvent
  | BudgetEvent;
export type LedgerKind = LedgerEvent['kind'];
export type EventOf<K extends LedgerKind> = Extract<LedgerEvent, { kind: K }>;

/** What a writer is given: an event without its `ts` (set at write time unless given). Distributes over the union. */
export type LedgerInput = LedgerEvent extends infer E ? (E extends LedgerEvent ? Omit<E, 'ts'> & { ts?: string } : never) : never;

export function ledgerPath(gitCommonDir: string): string {
  return join(gitCommonDir, 'model-ledger');
}

function lineOf<I extends LedgerInput>(input: I): { event: EventOf<I['kind']>; text: string } {
  const event = { ts: new Date().toISOString(), ...input } as unknown as EventOf<I['kind']>;
  return { event, text: JSON.stringify(event) + '\n' };
}

/** Appends one event as one line with a single write; returns the event as written. */
export function appendLedger<I extends LedgerInput>(path: string, input: I): EventOf<I['kind']> {
  const { event, text } = lineOf(input);
  const fd = openSync(path, 'a+', 0o644);
  try {
    const last = Buffer.alloc(1);
    const size = fstatSync(fd).size;
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    const line = Buffer.from(torn ? '\n' + text : text);
    // O_APPEND makes each write land at the end atomically for regular files; one call per line.
    const written = writeSync(fd, line);
    if (written !== line.length) throw new Error(`short write to ${path}: ${written} of ${line.length} bytes`);
  } finally {
    closeSync(fd);
  }
  return event;
}

/** Every event the file holds that is well formed; see parseLedger. */
export function readLedger(path: string): LedgerEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseLedger(text);
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const strings: Check = (v) => Array.isArray(v) && v.every(str);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);

/** The fields each kind must have, with their types; other fields are kept as they are. */
const SHAPES: Record<LedgerKind, Record<string, Check>> = {
  start: { active: str, tiers: strings, pid: num, port: num },
  switch: {
    from: str,
    to: str,
    reason: str,
    status: optional(num),
    retry_at: optional(str),
    commit: optional(nullable(str)),
    tag: optional(nullable(str)),
  },
  usage: {
    tier: str,
    model: str,
    input_tokens: num,
    output_tokens: num,
    cache_read_tokens: optional(num),
    cache_write_tokens: optional(num),
    ms: optional(num),
    stream: optional(bool),
    route: optional(str),
  },
  route: { rule: str, tier: str, session: optional(str) },
  stop: { active: nullable(str) },
  budget: { tier: str, amount: num, per: str, spent: num, until: str },
  external: { model: str, event_type: str },
  edit: { tier: str, path: str, tool: str, id: str, head: nullable(str) },
  tool_call: { tier: str, id: str, tool: str, path: str, head: nullable(str), line_hashes: strings },
  snapshot: {
    session: nullable(str),
    head: nullable(str),
    tree: str,
    answer: (v) => v === null || (typeof v === 'object' && !Array.isArray(v)),
  },
  accept: { model: str, commits: strings },
  rollback: { model: str, commits: strings },
  test: { model: str, commits: strings, passed: bool },
};

/** True when `value` is a ledger event of a known kind whose fields have the types readers rely on. */
export function isLedgerEvent(value: unknown): value is LedgerEvent {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const shape = typeof v.kind === 'string' && Object.hasOwn(SHAPES, v.kind) ? SHAPES[v.kind as LedgerKind] : undefined;
  if (!shape || typeof v.ts !== 'string' || Number.isNaN(Date.parse(v.ts))) return false;
  for (const key in shape) if (!shape[key](v[key])) return false;
  return true;
}

/**
 * The well-formed events of a ledger text. Skipped: unknown kinds, lines that do not parse (a torn last
 * line), and lines whose fields have the wrong types (`{"kind":"usage"}` alone), so a reader never trips on them.
 */
export function parseLedger(text: string): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isLedgerEvent(value)) out.push(value);
  }
  return out;
}

export type LedgerWriter = {
  readonly path: string;
  /** Queues one line; lines are written in call order, each with one write(2), off the event loop. */
  append<I extends LedgerInput>(input: I): Promise<EventOf<I['kind']>>;
  /** Resolves once every line queued so far is written. */
  flushed(): Promise<void>;
  close(): Promise<void>;
};

/** The proxy's writer: keeps the file open in append mode so a request never waits on open/close. */
export function createLedgerWriter(path: string): LedgerWriter {
  let handle: Promise<FileHandle> | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const file = () => (handle ??= open(path, 'a+', 0o644));
  const last = Buffer.alloc(1);
  /** True when the file does not end with a newline: a writer crashed mid-line (or ran out of space). */
  async function torn(fh: FileHandle): Promise<boolean> {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const { bytesRead } = await fh.read(last, 0, 1, size - 1);
    return bytesRead === 1 && last[0] !== 0x0a;
  }
  return {
    path,
    append(input) {
      const { event, text } = lineOf(input);
      const done = chain.then(async () => {
        const fh = await file();
        const line = Buffer.from((await torn(fh)) ? '\n' + text : text);
        const { bytesWritten } = await fh.write(line, 0, line.length);
        if (bytesWritten !== line.length) throw new Error(`short write to ${path}: ${bytesWritten} of ${line.length} bytes`);
        return event;
      });
      chain = done.catch(() => undefined);
      return done;
    },
    async flushed() {
      await chain;
    },
    async close() {
      await chain;
      if (handle) await (await handle).close();
      handle = null;
    },
  };
}

// The append-only model ledger, `<git common dir>/model-ledger`: JSON Lines, one complete line
// per write(2), so concurrent writers never interleave and a crash leaves at most a torn last line.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';

export type SwitchReason =
  | 'rate_limit'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'billing'
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
};
export type StopEvent = { ts: string; kind: 'stop'; active: string | null };
export type ExternalEvent = { ts: string; kind: 'external'; model: string; event_type: string; [key: string]: unknown };
export type ReviewEvent = { ts: string; kind: 'accept' | 'rollback' | 'test'; model: string; commits: string[]; [key: string]: unknown };

export type LedgerEvent = StartEvent | SwitchEvent | UsageEvent | StopEvent | ExternalEvent | ReviewEvent;
const KINDS = new Set(['start', 'switch', 'usage', 'stop', 'external', 'accept', 'rollback', 'test']);

/** Distributes `Omit` over the union so each event keeps its own fields. */
export type LedgerInput = LedgerEvent extends infer E ? (E extends LedgerEvent ? Omit<E, 'ts'> & { ts?: string } : never) : never;

export function ledgerPath(gitCommonDir: string): string {
  return join(gitCommonDir, 'model-ledger');
}

/** Appends one event as one line with a single write; returns the event as written. */
export function appendLedger(path: string, input: LedgerInput): LedgerEvent {
  const event = { ts: new Date().toISOString(), ...input } as LedgerEvent;
  const line = Buffer.from(JSON.stringify(event) + '\n');
  const fd = openSync(path, 'a', 0o644);
  try {
    // O_APPEND makes each write land at the end atomically for regular files; one call per line.
    const written = writeSync(fd, line);
    if (written !== line.length) throw new Error(`short write to ${path}: ${written} of ${line.length} bytes`);
  } finally {
    closeSync(fd);
  }
  return event;
}

/** Every event the file holds, skipping unknown kinds and lines that do not parse (a torn last line). */
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
    if (value && typeof value === 'object' && KINDS.has((value as { kind?: string }).kind ?? '')) out.push(value as LedgerEvent);
  }
  return out;
}

/** The model answering now, from the last start/switch/stop line; null when no proxy runs. */
export function activeModel(events: readonly LedgerEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'start') return e.active;
    if (e.kind === 'switch') return e.to;
    if (e.kind === 'stop') return null;
  }
  return null;
}

export type LedgerWriter = {
  readonly path: string;
  /** Queues one line; lines are written in call order, each with one write(2), off the event loop. */
  append(input: LedgerInput): Promise<LedgerEvent>;
  /** Resolves once every line queued so far is written. */
  flushed(): Promise<void>;
  close(): Promise<void>;
};

/** The proxy's writer: keeps the file open in append mode so a request never waits on open/close. */
export function createLedgerWriter(path: string): LedgerWriter {
  let handle: Promise<FileHandle> | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const file = () => (handle ??= open(path, 'a', 0o644));
  return {
    path,
    append(input) {
      const event = { ts: new Date().toISOString(), ...input } as LedgerEvent;
      const line = Buffer.from(JSON.stringify(event) + '\n');
      const done = chain.then(async () => {
        const fh = await file();
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

// Follows the ledger with its summary: loads `model-ledger.summary` (aggregates of the ledger's first `offset`
// bytes), checks that it describes this ledger, folds in only the bytes appended since, and writes the summary back
// atomically now and then. A missing, corrupt or foreign summary is rebuilt from the ledger (docs/ledger.md).

import { createHash } from 'node:crypto';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createAggregates, emptySummary, isSummary, parseLine, type Aggregates, type Summary } from './aggregates.ts';
import { scanLines } from './scan.ts';

/** Bytes before `offset` whose hash identifies the ledger a summary was made from. */
export const CHECK_BYTES = 256;
/** The summary file is rewritten once this many new ledger bytes are folded in (and after a rebuild). */
export const SAVE_EVERY_BYTES = 256 * 1024;

export function summaryPath(ledgerPath: string): string {
  return `${ledgerPath}.summary`;
}

export type LedgerIndexOptions = {
  /** Write the summary back (default true); a reader without write access just goes on without it. */
  save?: boolean;
  /** Test seam: counts the ledger bytes read. */
  counter?: { bytes: number };
  log?: (line: string) => void;
};

export type LedgerIndex = {
  readonly path: string;
  /** Catches up with the ledger (reads only what was appended since the last call) and returns its aggregates. */
  refresh(): Promise<Aggregates>;
  /** Whether the last refresh had to rebuild from the start (no usable summary, or another ledger). */
  readonly rebuilt: boolean;
};

async function checkOf(path: string, offset: number, counter?: { bytes: number }): Promise<string | null> {
  if (offset === 0) return '';
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const start = Math.max(0, offset - CHECK_BYTES);
    const buf = Buffer.alloc(offset - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    if (counter) counter.bytes += bytesRead;
    if (bytesRead !== buf.length) return null; // the ledger is shorter than the summary says
    return createHash('sha1').update(buf).digest('hex');
  } finally {
    await fh.close();
  }
}

async function loadSummary(file: string): Promise<Summary | null> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isSummary(value) ? value : null;
  } catch {
    return null; // absent or not JSON: rebuilt
  }
}

/** Writes the summary beside the ledger: a temp file, then rename, so a reader never sees half of one. */
export async function saveSummary(file: string, summary: Summary): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(summary), { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export function openLedgerIndex(ledgerPath: string, opts: LedgerIndexOptions = {}): LedgerIndex {
  const file = summaryPath(ledgerPath);
  let agg: Aggregates | null = null;
  let saved = -1;
  let rebuilt = false;
  let chain: Promise<Aggregates> | null = null;

  async function catchUp(): Promise<Aggregates> {
    rebuilt = false;
    if (!agg) {
      const loaded = await loadSummary(file);
      saved = loaded?.offset ?? -1;
      agg = createAggregates(loaded ?? emptySummary());
    }
    let s = agg.snapshot();
    if (s.offset > 0 && (await checkOf(ledgerPath, s.offset, opts.counter)) !== s.check) {
      // Not a summary of this ledger's start (a replaced or truncated ledger, a summary from elsewhere).
      agg = createAggregates(emptySummary());
      s = agg.snapshot();
      saved = -1;
    }
    if (s.offset === 0) rebuilt = true;
    const a = agg;
    const { end } = await scanLines(
      ledgerPath,
      (line, start, lineEnd) => {
        const e = parseLine(line);
        if (e) a.add(e, { start, end: lineEnd });
      },
      { from: s.offset, counter: opts.counter },
    );
    s = a.snapshot(); // the same object, with the edit ids added since folded into it
    if (end !== s.offset) {
      s.offset = end;
      s.check = (await checkOf(ledgerPath, end, opts.counter)) ?? '';
    }
    if (opts.save !== false && s.offset > 0 && (saved < 0 || s.offset - saved >= SAVE_EVERY_BYTES)) {
      try {
        await saveSummary(file, s);
        saved = s.offset;
      } catch (err) {
        opts.log?.(`warning: could not write ${file}: ${(err as Error).message}`);
        saved = s.offset; // do not retry on every read
      }
    }
    return a;
  }

  return {
    path: ledgerPath,
    get rebuilt() {
      return rebuilt;
    },
    refresh() {
      const next = (chain ?? Promise.resolve()).then(catchUp, catchUp);
      chain = next;
      return next;
    },
  };
}

const shared = new Map<string, LedgerIndex>();

/** One index per ledger in this process, so the proxy's readers (dashboard, status, edits) share one pass. */
export function sharedLedgerIndex(ledgerPath: string, opts: Omit<LedgerIndexOptions, 'counter'> = {}): LedgerIndex {
  let index = shared.get(ledgerPath);
  if (!index) shared.set(ledgerPath, (index = openLedgerIndex(ledgerPath, opts)));
  return index;
}

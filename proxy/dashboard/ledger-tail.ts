// Follows the ledger file as it grows: reads only the bytes appended since the last read, in chunks, and parses
// complete lines (a line still being written waits for its newline). The proxy's own writer and the review CLI in
// another process both append, so the file is the one source to follow. It starts where the ledger's summary
// (proxy/ledger/) ends, seeded with the start/switch/stop lines from it, so a year of ledger is never held.

import { parseLine } from '../ledger/aggregates.ts';
import { sharedLedgerIndex } from '../ledger/ledger-index.ts';
import { scanLines } from '../ledger/scan.ts';
import type { LedgerEvent } from '../git/ledger.ts';

/** The most lines of other kinds kept in `events` (the dashboard needs only the latest start or switch). */
const KEEP_OTHER = 1000;

export type LedgerTail = {
  /** The start/switch/stop lines of the whole ledger and the latest other lines read, oldest first. */
  readonly events: readonly LedgerEvent[];
  /** Reads what was appended since the last call; resolves with the new events (calls queue up). The first call seeds. */
  read(): Promise<LedgerEvent[]>;
};

export function createLedgerTail(path: string): LedgerTail {
  let events: LedgerEvent[] = [];
  let offset = -1;
  let others = 0;
  let chain: Promise<LedgerEvent[]> = Promise.resolve([]);

  function keep(e: LedgerEvent): void {
    events.push(e);
    if (e.kind === 'start' || e.kind === 'switch' || e.kind === 'stop') return;
    if (++others > 2 * KEEP_OTHER) {
      // Drop the oldest other lines, keep every start/switch/stop line.
      let drop = others - KEEP_OTHER;
      events = events.filter((x) => x.kind === 'start' || x.kind === 'switch' || x.kind === 'stop' || drop-- <= 0);
      others = KEEP_OTHER;
    }
  }

  async function readNew(): Promise<LedgerEvent[]> {
    if (offset < 0) {
      const s = (await sharedLedgerIndex(path).refresh()).snapshot();
      events = s.marks.filter((m): m is Exclude<typeof m, { kind: 'seen' }> => m.kind !== 'seen');
      offset = s.offset;
      return [];
    }
    const added: LedgerEvent[] = [];
    const { end, size } = await scanLines(
      path,
      (line) => {
        const e = parseLine(line);
        if (e) added.push(e);
      },
      { from: offset },
    );
    if (size < offset) {
      // Shorter than what was read: not the file that was followed (recreated). Start over.
      offset = -1;
      return readNew();
    }
    offset = end;
    for (const e of added) keep(e);
    return added;
  }

  return {
    get events() {
      return events;
    },
    read() {
      const next = chain.then(readNew, readNew);
      chain = next.catch(() => []);
      return next;
    },
  };
}

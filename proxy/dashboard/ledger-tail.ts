// Follows the ledger file as it grows: reads only the bytes appended since the last read and parses
// complete lines (a line still being written waits for its newline). The proxy's own writer and the
// review CLI in another process both append, so the file is the one source to follow.

import { open } from 'node:fs/promises';
import { parseLedger, type LedgerEvent } from '../git/ledger.ts';

export type LedgerTail = {
  /** Every event read so far, oldest first. */
  readonly events: readonly LedgerEvent[];
  /** Reads what was appended since the last call; resolves with the new events (calls queue up). */
  read(): Promise<LedgerEvent[]>;
};

export function createLedgerTail(path: string): LedgerTail {
  let events: LedgerEvent[] = [];
  let offset = 0;
  let partial = Buffer.alloc(0);
  let chain: Promise<LedgerEvent[]> = Promise.resolve([]);

  async function readNew(): Promise<LedgerEvent[]> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (size < offset) {
        // Shorter than what was read: not the file that was followed (recreated). Start over.
        events = [];
        offset = 0;
        partial = Buffer.alloc(0);
      }
      if (size === offset) return [];
      const buf = Buffer.alloc(size - offset);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      offset += got;
      // Bytes, not text, until a newline: a character split across two reads stays whole.
      const bytes = Buffer.concat([partial, buf.subarray(0, got)]);
      const end = bytes.lastIndexOf(0x0a);
      partial = Buffer.from(bytes.subarray(end + 1));
      const added = end < 0 ? [] : parseLedger(bytes.subarray(0, end + 1).toString('utf8'));
      for (const e of added) events.push(e);
      return added;
    } finally {
      await fh.close();
    }
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

// Reads a byte range of the ledger in fixed-size chunks, off the event loop's back: each chunk's complete lines are
// handed to `onLine` with their byte offsets, then the loop yields (setImmediate) so a large ledger never stalls
// the proxy, and only one chunk plus one partial line is held at a time (docs/ledger.md, "Scaling").

import { open } from 'node:fs/promises';

/** 1 MiB: parsing one chunk's lines takes a few milliseconds, well under the 50 ms stall budget. */
export const CHUNK_BYTES = 1 << 20;

export type ScanOptions = {
  /** First byte to read (a line start). */
  from?: number;
  /** Byte to stop at (exclusive); the file's size when absent. */
  to?: number;
  chunkBytes?: number;
  /** Test seam: counts the bytes read from the file. */
  counter?: { bytes: number };
};

/** Where a scan ended: `end` is the offset just past the last complete line (a torn or unfinished last line is left). */
export type ScanResult = { end: number; size: number };

/**
 * Calls `onLine(text, start, end)` for each complete line (`\n`-terminated) in [from, to), in file order. Lines are
 * decoded from whole bytes, so a character split across two chunks stays whole. A missing file is an empty one.
 */
export async function scanLines(
  path: string,
  onLine: (line: string, start: number, end: number) => void,
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const from = opts.from ?? 0;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { end: from, size: 0 };
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const to = Math.min(opts.to ?? size, size);
    const chunk = Buffer.allocUnsafe(opts.chunkBytes ?? CHUNK_BYTES);
    let pos = from;
    let lineStart = from;
    let carry: Buffer | null = null;
    while (pos < to) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, to - pos), pos);
      if (bytesRead === 0) break;
      if (opts.counter) opts.counter.bytes += bytesRead;
      const bytes: Buffer = carry ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const base = lineStart; // file offset of bytes[0]
      let at = 0;
      for (let nl = bytes.indexOf(0x0a, at); nl !== -1; nl = bytes.indexOf(0x0a, at)) {
        if (nl > at) onLine(bytes.toString('utf8', at, nl), base + at, base + nl + 1);
        at = nl + 1;
      }
      lineStart = base + at;
      carry = at < bytes.length ? Buffer.from(bytes.subarray(at)) : null;
      pos += bytesRead;
      if (pos < to) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { end: lineStart, size };
  } finally {
    await fh.close();
  }
}

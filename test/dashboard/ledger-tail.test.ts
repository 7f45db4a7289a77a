// The dashboard's ledger tail: seeded from the summary with the start/switch/stop lines only, then follows the
// appended lines, keeping a bounded number of lines of other kinds (no year of ledger held in memory).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { appendLedger, readLedger, type LedgerEvent } from '../../proxy/git/ledger.ts';
import { createLedgerTail } from '../../proxy/dashboard/ledger-tail.ts';
import { generateLedger } from '../../test-support/generate-ledger.ts';

/** The last line that made a tier active (start or switch): what a reader of the held lines must still find. */
function lastActivation(events: readonly LedgerEvent[]): LedgerEvent | null {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].kind === 'start' || events[i].kind === 'switch') return events[i];
  return null;
}

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

it('holds the run lines of a large ledger and a bounded window of the rest, and returns each appended line once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-tail-'));
  dirs.push(dir);
  const path = join(dir, 'model-ledger');
  await generateLedger(path, { lines: 30_000 });
  const all = readLedger(path);
  const run = all.filter((e) => e.kind === 'start' || e.kind === 'switch' || e.kind === 'stop');
  const tail = createLedgerTail(path);
  expect(await tail.read()).toEqual([]); // the first read seeds
  expect(tail.events).toEqual(run);
  expect(lastActivation(tail.events)).toEqual(lastActivation(all));
  for (let i = 0; i < 2500; i++)
    appendLedger(path, {
      kind: 'usage',
      tier: 'gemini',
      model: 'gemini-2.5-pro',
      input_tokens: i,
      output_tokens: 1,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
    });
  appendLedger(path, { kind: 'switch', from: 'claude', to: 'deepseek', reason: 'rate_limit' });
  const added = await tail.read();
  expect(added.length).toBe(2501);
  expect(tail.events.length).toBeLessThanOrEqual(run.length + 1 + 2000);
  expect(tail.events.filter((e) => e.kind !== 'usage')).toEqual([...run, added[2500]]);
  expect(lastActivation(tail.events)).toMatchObject({ kind: 'switch', to: 'deepseek' });
  expect(await tail.read()).toEqual([]);
});

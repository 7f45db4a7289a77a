// Today's usage (the status line's and `status`'s): seeded at start from the ledger's lines of the local day written
// before the proxy started, found through the ledger summary; the totals equal those of a full parse.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { readLedger, type UsageEvent } from '../../proxy/git/ledger.ts';
import { createUsageToday, localDay } from '../../proxy/status/usage-today.ts';
import { generateLedger } from '../../test-support/generate-ledger.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

it('seeds today’s usage by model from the lines of the local day written before the start, as a full parse counts them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-today-'));
  dirs.push(dir);
  const path = join(dir, 'model-ledger');
  // The local afternoon of a fixed day, so that the day has hours of lines whenever the test runs.
  const now = new Date(2026, 5, 15, 15, 0, 0).getTime();
  vi.useFakeTimers({ toFake: ['Date'], now });
  await generateLedger(path, { lines: 20_000, start: now - 2.5 * 86_400_000, days: 2.5 });
  const before = now - 3_600_000; // lines of the last hour count as this proxy's own, not seeded
  const today = createUsageToday({ tiers: [] });
  await today.seed(path, before);
  const snap = today.snapshot(now);
  const want = readLedger(path).filter(
    (e): e is UsageEvent => e.kind === 'usage' && localDay(Date.parse(e.ts)) === localDay(now) && Date.parse(e.ts) < before,
  );
  expect(want.length).toBeGreaterThan(0);
  expect(snap.total.requests).toBe(want.length);
  expect(snap.total.input_tokens).toBe(want.reduce((n, e) => n + e.input_tokens, 0));
  const byModel = new Map<string, number>();
  for (const e of want) byModel.set(`${e.tier}/${e.model}`, (byModel.get(`${e.tier}/${e.model}`) ?? 0) + e.output_tokens);
  expect(Object.fromEntries(snap.by_model.map((m) => [`${m.tier}/${m.model}`, m.output_tokens]))).toEqual(Object.fromEntries(byModel));
});

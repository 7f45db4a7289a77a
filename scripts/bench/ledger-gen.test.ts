// The benchmark's ledger generator writes what the proxy's own reader accepts, line for line, the count asked for,
// a year that ends at the given time, and the same file for the same seed.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLedgerEvent, parseLedger } from '../../proxy/git/ledger.ts';
import { generateLedger } from './ledger-gen.ts';

const dir = mkdtempSync(join(tmpdir(), 'ledger-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateLedger', () => {
  const end = Date.parse('2026-12-07T18:00:00Z');

  it('writes the number of lines asked for, each a well-formed ledger event, in time order within the year', async () => {
    const path = join(dir, 'a');
    const r = await generateLedger(path, { lines: 20_000, end, seed: 7 });
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(20_000);
    expect(r.lines).toBe(20_000);
    expect(r.bytes).toBe(Buffer.byteLength(text));
    const events = lines.map((l) => JSON.parse(l) as unknown);
    expect(events.every(isLedgerEvent)).toBe(true);
    expect(parseLedger(text)).toHaveLength(20_000);
    const ts = events.map((e) => Date.parse((e as { ts: string }).ts));
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1])).toBe(true);
    expect(ts[0]).toBeGreaterThanOrEqual(end - 365 * 86_400_000);
    expect(ts.at(-1)).toBeLessThanOrEqual(end);
    // A year of use: usage across several models and tiers, edits, fallbacks and recoveries, runs that start and stop.
    const kinds = r.byKind;
    expect(kinds.usage).toBeGreaterThan(15_000);
    expect(kinds.edit).toBeGreaterThan(2_000);
    expect(kinds.start).toBe(kinds.stop);
    expect(kinds.switch).toBeGreaterThan(50);
    const usage = events.filter((e) => (e as { kind: string }).kind === 'usage') as { tier: string; model: string }[];
    expect(new Set(usage.map((u) => u.tier))).toEqual(new Set(['claude', 'gemini-flash', 'deepseek']));
    expect(new Set(usage.map((u) => u.model)).size).toBeGreaterThanOrEqual(5);
    // Lines about as long as the real ones: 1M lines near 195 MB.
    expect(r.bytes / r.lines).toBeGreaterThan(170);
    expect(r.bytes / r.lines).toBeLessThan(230);
  });

  it('gives the same file for the same seed and another for another seed', async () => {
    const [a, b, c] = ['s1', 's2', 's3'].map((n) => join(dir, n));
    await generateLedger(a, { lines: 3_000, end, seed: 1 });
    await generateLedger(b, { lines: 3_000, end, seed: 1 });
    await generateLedger(c, { lines: 3_000, end, seed: 2 });
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(c, 'utf8'));
  });
});

// Writes a large, realistic ledger fast (tests of the ledger summary; the bench's `ledger` rows): runs that start,
// switch and stop, usage lines of several tiers and models over many UTC days, edits and webhook lines, in the
// proxy's compact JSON, streamed to the file in large writes. Deterministic for a given seed.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { builtinPrice, lineCost } from '../proxy/prices.ts';

export type GenerateOptions = {
  lines: number;
  /** The first line's time (ms); lines are spread evenly over `days`. */
  start?: number;
  days?: number;
  seed?: number;
  /** Append instead of replacing the file. */
  append?: boolean;
};

const TIERS: [string, string][] = [
  ['claude', 'claude-sonnet-4-6'],
  ['claude', 'claude-opus-4-1'],
  ['gemini', 'gemini-2.5-pro'],
  ['deepseek', 'deepseek-chat'],
  ['local', 'qwen-unpriced'],
];

/** Writes `lines` lines; resolves with the number of bytes written. */
export async function generateLedger(path: string, opts: GenerateOptions): Promise<number> {
  let seed = opts.seed ?? 1;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const int = (n: number) => Math.floor(rand() * n);
  const start = opts.start ?? Date.parse('2026-01-01T00:00:00.000Z');
  const step = ((opts.days ?? 30) * 86_400_000) / Math.max(1, opts.lines);
  const out = createWriteStream(path, { flags: opts.append ? 'a' : 'w' });
  let buf: string[] = [];
  let bytes = 0;
  let active = 'claude';
  const flush = async () => {
    const text = buf.join('');
    buf = [];
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  for (let i = 0; i < opts.lines; i++) {
    const ts = new Date(start + Math.floor(i * step)).toISOString();
    const r = i === 0 ? 0 : int(1000);
    let e: Record<string, unknown>;
    if (i === 0 || r < 2) {
      active = 'claude';
      e = { ts, kind: 'start', active, tiers: ['claude', 'gemini', 'deepseek', 'local'], pid: 1000 + int(50000), port: 8787 };
    } else if (r < 8) {
      const to = TIERS[int(TIERS.length)][0];
      e = {
        ts,
        kind: 'switch',
        from: active,
        to,
        reason: to === 'claude' ? 'recovered' : 'rate_limit',
        status: 429,
        commit: null,
        tag: null,
      };
      active = to;
    } else if (r < 9) e = { ts, kind: 'stop', active };
    else if (r < 40)
      e = {
        ts,
        kind: 'edit',
        tier: active,
        path: `src/file-${int(400)}.ts`,
        tool: 'Edit',
        id: `toolu_${i.toString(36)}_${int(1e9).toString(36)}`,
        head: int(2) ? 'a'.repeat(40) : null,
      };
    else if (r < 42) e = { ts, kind: 'external', model: 'claude', event_type: 'rate_limit' };
    else {
      const [tier, model] = TIERS[int(TIERS.length)];
      e = {
        ts,
        kind: 'usage',
        tier,
        model,
        input_tokens: int(50_000),
        output_tokens: int(4000),
        cache_read_tokens: int(80_000),
        cache_write_tokens: int(5000),
        ms: int(30_000),
        stream: true,
      };
      // Half the lines carry their cost as the proxy writes it now; the other half are older lines, priced on read.
      // Some lines were planned by a routing rule (docs/routing.md), the rest by the tier list.
      if (i % 3 === 0) e.route = i % 2 === 0 ? 'background' : 'long-context';
      const cost = i % 2 === 0 ? lineCost(e as Parameters<typeof lineCost>[0], builtinPrice(model)) : undefined;
      if (cost !== undefined) e.cost_usd = cost;
    }
    buf.push(JSON.stringify(e) + '\n');
    if (buf.length >= 4096) await flush();
  }
  await flush();
  out.end();
  await once(out, 'close');
  return bytes;
}

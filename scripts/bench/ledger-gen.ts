// A generated model ledger for the benchmark's large-ledger rows: about a year of heavy use (proxy runs with their
// start and stop lines, fallbacks and recoveries, usage lines with tokens across tiers, models and days, the edits
// Claude Code's file tools made, a few webhook and review lines), in the types of proxy/git/ledger.ts, seeded so
// that two runs get the same file, streamed out in large writes (1M lines, ~195 MB, in a few seconds).
// Usage: npx tsx scripts/bench/ledger-gen.ts OUT [--lines N] [--seed N]

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { EditEvent, ExternalEvent, LedgerEvent, StartEvent, StopEvent, SwitchEvent, UsageEvent } from '../../proxy/git/ledger.ts';
import { mainArgs } from '../../proxy/main-module.mjs';

/** The tiers of the generated runs, as the benchmark's config names them (first = the first-party one). */
export const LEDGER_TIERS = ['claude', 'gemini-flash', 'deepseek'] as const;
type Tier = (typeof LEDGER_TIERS)[number];

/** The models each tier answers with, with their shares (Claude Code sends its short calls to Haiku). */
const MODELS: Record<Tier, [string, number][]> = {
  claude: [
    ['claude-sonnet-4-5', 0.6],
    ['claude-haiku-4-5', 0.25],
    ['claude-opus-4-1', 0.15],
  ],
  'gemini-flash': [['gemini-2.5-flash', 1]],
  deepseek: [['deepseek-v4-flash', 1]],
};
const TOOLS = ['Edit', 'Edit', 'Edit', 'MultiEdit', 'Write'];
const DIRS = [
  'proxy',
  'proxy/engine',
  'proxy/server/routes',
  'proxy/providers/openai',
  'proxy/providers/gemini',
  'scripts/cli',
  'test',
  'test/engine',
  'docs',
  'src/ui',
  'src/api',
];
const NAMES = [
  'index',
  'config',
  'engine',
  'stream',
  'server',
  'routes',
  'status',
  'ledger',
  'switcher',
  'usage',
  'costs',
  'timeline',
  'format',
  'table',
  'client',
];
const DAY = 86_400_000;

export type LedgerGenOptions = {
  lines: number;
  /** The end of the generated year (ms since the epoch); its last day runs up to here. */
  end?: number;
  seed?: number;
  /** Write this many days (365). */
  days?: number;
};
export type LedgerGenResult = { lines: number; bytes: number; ms: number; byKind: Record<string, number>; first: string; last: string };

/** mulberry32: small, fast, seeded; the same seed gives the same ledger. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the ledger to `path` (replacing it); resolves when the file is complete. */
export async function generateLedger(path: string, opts: LedgerGenOptions): Promise<LedgerGenResult> {
  const t0 = performance.now();
  const rand = prng(opts.seed ?? 20261208);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const toolId = () => {
    let s = 'toolu_01';
    for (let i = 0; i < 22; i++) s += B62[Math.floor(rand() * 62)];
    return s;
  };
  const paths = Array.from({ length: 1500 }, (_, i) => `${pick(DIRS)}/${pick(NAMES)}-${i}.ts`);
  const model = (tier: Tier) => {
    let r = rand();
    for (const [m, share] of MODELS[tier]) if ((r -= share) <= 0) return m;
    return MODELS[tier][0][0];
  };

  const days = opts.days ?? 365;
  const end = opts.end ?? Date.now() - 60_000;
  const begin = end - days * DAY;
  // Weekdays carry the work; weekends a third of it.
  const weight = (d: number) => ([0, 6].includes(new Date(begin + d * DAY).getUTCDay()) ? 0.3 : 1);
  const total = Array.from({ length: days }, (_, d) => weight(d)).reduce((a, b) => a + b, 0);

  const out = createWriteStream(path, { highWaterMark: 4 * 2 ** 20 });
  const byKind: Record<string, number> = {};
  let buf = '';
  let lines = 0;
  let bytes = 0;
  let first = '';
  let last = '';
  const emit = async (e: LedgerEvent) => {
    const text = JSON.stringify(e) + '\n';
    buf += text;
    lines++;
    bytes += text.length; // ASCII only
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    if (buf.length >= 2 ** 20) {
      const chunk = buf;
      buf = '';
      if (!out.write(chunk)) await once(out, 'drain');
    }
  };

  let head: string | null = null;
  let written = 0;
  let cumulative = 0;
  for (let d = 0; d < days; d++) {
    // The day's share of the lines, counted from the running total so that rounding never adds up; a day whose
    // share is under a run's two lines (start, stop) leaves it to the next.
    cumulative += weight(d);
    const dayLines = (d === days - 1 ? opts.lines : Math.round((opts.lines * cumulative) / total)) - written;
    if (dayLines < 2) continue;
    const runs = Math.max(1, Math.min(4, Math.round(dayLines / 700), Math.floor(dayLines / 2)));
    const dayStart = begin + d * DAY;
    let used = 0;
    for (let r = 0; r < runs; r++) {
      // Each run gets its slice of the day and its share of the lines (start and stop lines included).
      const budget = r === runs - 1 ? dayLines - used : Math.round(dayLines / runs);
      const slot = DAY / runs;
      let t = dayStart + r * slot + rand() * slot * 0.1;
      const step = (slot * 0.85) / Math.max(1, budget);
      const ts = () => {
        t += step * (0.5 + rand());
        return new Date(Math.min(t, end)).toISOString();
      };
      const pid = int(2000, 4_000_000);
      let active: Tier = 'claude';
      const start: StartEvent = { ts: ts(), kind: 'start', active, tiers: [...LEDGER_TIERS], pid, port: 8000 };
      await emit(start);
      let n = 2; // the start and stop lines
      while (n < budget) {
        const x = rand();
        if (active === 'claude' && x < 0.004) {
          const to: Tier = rand() < 0.7 ? 'gemini-flash' : 'deepseek';
          const limited = rand() < 0.8;
          const at = ts();
          const sw: SwitchEvent = {
            ts: at,
            kind: 'switch',
            from: active,
            to,
            reason: limited ? 'rate_limit' : 'overloaded',
            status: limited ? 429 : 529,
            retry_at: new Date(Date.parse(at) + int(1, 300) * 60_000).toISOString(),
            commit: rand() < 0.5 ? hex(40) : null,
            tag:
              rand() < 0.5
                ? `model-${to}-${at.slice(0, 10).replace(/-/g, '')}-${at.slice(11, 19).replace(/:/g, '')}-${at.slice(20, 23)}`
                : null,
          };
          await emit(sw);
          active = to;
        } else if (active !== 'claude' && x < 0.02) {
          const sw: SwitchEvent = { ts: ts(), kind: 'switch', from: active, to: 'claude', reason: 'recovered', commit: null };
          await emit(sw);
          active = 'claude';
        } else if (x < 0.19) {
          // Claude Code's file tools; a commit now and then moves HEAD on.
          if (head === null || rand() < 0.05) head = hex(40);
          const edit: EditEvent = { ts: ts(), kind: 'edit', tier: active, path: pick(paths), tool: pick(TOOLS), id: toolId(), head };
          await emit(edit);
        } else if (x < 0.1905) {
          const ext: ExternalEvent = {
            ts: ts(),
            kind: 'external',
            model: model(active),
            event_type: pick(['Stop', 'SubagentStop', 'Notification']),
            active,
          };
          await emit(ext);
        } else if (x < 0.1907) {
          const m = pick(['gemini-flash', 'deepseek']);
          const commits = Array.from({ length: int(1, 6) }, () => hex(40));
          const when = ts();
          if (rand() < 0.8) await emit({ ts: when, kind: 'accept', model: m, commits, tags: [] });
          else await emit({ ts: when, kind: 'rollback', model: m, commits, revert_commit: hex(40), tags: [] });
        } else {
          const input = int(800, 160_000);
          const cached = rand() < 0.8 ? Math.floor(input * (0.5 + rand() * 0.45)) : 0;
          const usage: UsageEvent = {
            ts: ts(),
            kind: 'usage',
            tier: active,
            model: model(active),
            input_tokens: input - cached,
            output_tokens: int(20, 12_000),
            cache_read_tokens: cached,
            cache_write_tokens: rand() < 0.3 ? int(100, 20_000) : 0,
            ms: int(250, 90_000),
            stream: rand() < 0.97,
          };
          if (rand() < 0.004) usage.incomplete = true;
          await emit(usage);
        }
        n++;
      }
      const stop: StopEvent = { ts: ts(), kind: 'stop', active };
      await emit(stop);
      written += n;
      used += n;
      if (first === '') first = start.ts;
      last = stop.ts;
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return { lines, bytes, ms: performance.now() - t0, byKind, first, last };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { lines: { type: 'string', default: '1000000' }, seed: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: npx tsx scripts/bench/ledger-gen.ts OUT [--lines N] [--seed N]');
  const r = await generateLedger(positionals[0], {
    lines: Number(values.lines),
    seed: values.seed === undefined ? undefined : Number(values.seed),
  });
  process.stdout.write(
    `${r.lines} lines, ${(r.bytes / 2 ** 20).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s (${r.first} … ${r.last}): ${JSON.stringify(r.byKind)}\n`,
  );
}

const args = mainArgs(import.meta.url);
if (args)
  main(args).catch((err: unknown) => {
    process.stderr.write(`ledger-gen: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });

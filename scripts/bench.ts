// `npm run bench`: one table of figures measured in this run, each against its baseline, on loopback fakes
// (docs/benchmarks.md); also written as JSON to bench-results/latest.json.
// Every target is a ratio to, or a time added over, a baseline of the same run (scripts/bench/targets.ts).
// Usage: npm run bench -- [--quick] [--only proxy,hooks,notes,review,dashboard,cli,ledger,routing] [--cpu-prof] [--proxy-flags '--max-semi-space-size=1']

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchProxy, type ProxyResults } from './bench/proxy-bench.ts';
import { benchHooks, hooksRows, type HooksResults } from './bench/hooks-bench.ts';
import { benchReview, type ReviewResults } from './bench/review-bench.ts';
import { benchDashboard, type DashboardResults } from './bench/dashboard-bench.ts';
import { benchCli, cliRows, type CliResults } from './bench/cli-bench.ts';
import { mainArgs } from '../proxy/main-module.mjs';
import { ms, ratio, renderMarkdown, renderText, signedMs, type Row } from './bench/table.ts';
import { benchLedger, ledgerRows, type LedgerResults } from './bench/ledger-bench.ts';
import { benchRouting, routingRows, type RoutingResults } from './bench/routing-bench.ts';
import { bareNodeRssMb, ROOT } from './bench/processes.ts';
import { TARGETS, times } from './bench/targets.ts';
import { PROXY_NODE_FLAGS } from '../proxy/node-flags.ts';

export type Machine = { cpu: string; cores: number; memoryGb: number; node: string; platform: string };

export function machine(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node.slice(1)}, ${m.platform}`;
}

/**
 * A proxy's added time over direct against a bare node:http pipe's added time for the same request, in the same
 * rounds: `(proxy − direct) / (pipe − direct)`. The pipe is the least any proxy in Node adds (one more loopback hop).
 */
export function addedVsPipe(label: string, direct: number, pipe: number, proxy: number, limit: number): Row {
  const pipeAdded = pipe - direct;
  const added = proxy - direct;
  const x = added / pipeAdded;
  // A pipe that adds nothing measurable leaves no ratio: the row says so and misses, rather than dividing by noise.
  const ok = pipeAdded > 0.01;
  return {
    row: label,
    baseline: `${signedMs(pipeAdded)} (bare pipe)`,
    subject: `${signedMs(added)} (proxy)`,
    delta: ok ? ratio(x) : 'pipe adds nothing',
    target: `≤ ${times(limit)} bare pipe's added`,
    met: ok && x <= limit,
  };
}

/** The budget as rows: each figure beside its baseline from the same run. */
export function proxyRows(r: ProxyResults, bareNodeMb: number): Row[] {
  const rows: Row[] = [];
  const info = (label: string, base: number, subj: number) =>
    rows.push({ row: label, baseline: ms(base), subject: ms(subj), delta: signedMs(subj - base), target: '', met: null });
  const s = r.passSmall;
  rows.push(
    addedVsPipe(
      'TTFB added over direct, 20-event stream: bare pipe → proxy, median',
      s.direct.ttfb.median,
      s.pipe.ttfb.median,
      s.proxy.ttfb.median,
      TARGETS.ttfbSmallVsPipe,
    ),
  );
  rows.push(
    addedVsPipe(
      'TTFB added over direct, 20-event stream: bare pipe → proxy, p99',
      s.direct.ttfb.p99,
      s.pipe.ttfb.p99,
      s.proxy.ttfb.p99,
      TARGETS.ttfbSmallP99VsPipe,
    ),
  );
  info('TTFB, 20-event stream: direct → proxy, median', s.direct.ttfb.median, s.proxy.ttfb.median);
  info('total, 20-event stream: direct → proxy, median', s.direct.total.median, s.proxy.total.median);
  const k = r.pass80k;
  const kb = Math.round(r.requestBytes / 1024);
  rows.push(
    addedVsPipe(
      `TTFB added over direct, ${kb} KB Claude Code request: bare pipe → proxy, median`,
      k.direct.ttfb.median,
      k.pipe.ttfb.median,
      k.proxy.ttfb.median,
      TARGETS.ttfb80kVsPipe,
    ),
  );
  info(`TTFB, ${kb} KB Claude Code request: direct → proxy, median`, k.direct.ttfb.median, k.proxy.ttfb.median);
  info(`TTFB, ${kb} KB Claude Code request: direct → proxy, p99`, k.direct.ttfb.p99, k.proxy.ttfb.p99);
  const w = r.pass80kRewritten;
  info(
    `TTFB, ${kb} KB tool-loop turn the proxy rewrites (drops thinking): direct → proxy, median`,
    w.direct.ttfb.median,
    w.proxy.ttfb.median,
  );
  const l = r.large;
  const mb = l.bytes / 2 ** 20;
  const tput = (t: number) => `${ms(t, 1)} (${Math.round(mb / (t / 1000))} MB/s)`;
  const lr = l.proxy.total.median / l.pipe.total.median;
  rows.push({
    row: `${mb.toFixed(1)} MB stream, total: bare pipe → proxy, median`,
    baseline: tput(l.pipe.total.median),
    subject: tput(l.proxy.total.median),
    delta: ratio(lr),
    target: `≤ ${ratio(TARGETS.largeStreamVsPipe)}`,
    met: lr <= TARGETS.largeStreamVsPipe,
  });
  rows.push({
    row: `${mb.toFixed(1)} MB stream, total: direct → bare pipe, median`,
    baseline: tput(l.direct.total.median),
    subject: tput(l.pipe.total.median),
    delta: ratio(l.pipe.total.median / l.direct.total.median),
    target: '',
    met: null,
  });
  for (const [name, t] of [
    ['OpenAI', r.openai],
    ['Gemini', r.gemini],
  ] as const) {
    for (const [size, x] of [
      ['short request', t.small],
      [`${kb} KB request`, t.large],
    ] as const) {
      const d = x.direct.total.median;
      rows.push(
        addedVsPipe(
          `${name} tool-use stream, ${size}, total added over direct: bare pipe → translated, median`,
          d,
          x.pipe.total.median,
          x.proxy.total.median,
          TARGETS.translationVsPipe,
        ),
      );
    }
  }
  const c = r.concurrent;
  rows.push({
    row: `${c.streams} concurrent streams (${kb} KB request, ${mb.toFixed(1)} MB answer each): errors`,
    baseline: '',
    subject: `${c.errors} of ${c.streams}`,
    delta: `${c.seconds.toFixed(1)} s`,
    target: '0',
    met: c.errors === 0,
  });
  const over = c.peakRssMb - bareNodeMb;
  rows.push({
    row: `${c.streams} concurrent streams: idle bare node → proxy (under tsx) RSS at the peak`,
    baseline: `${bareNodeMb.toFixed(0)} MB`,
    subject: `${c.peakRssMb.toFixed(0)} MB`,
    delta: `+${over.toFixed(0)} MB`,
    target: `≤ +${TARGETS.rssOverBareNodeMb} MB`,
    met: over <= TARGETS.rssOverBareNodeMb && c.errors === 0,
  });
  rows.push({
    row: `${c.streams} concurrent streams: proxy RSS, idle → peak`,
    baseline: `${c.idleRssMb.toFixed(0)} MB`,
    subject: `${c.peakRssMb.toFixed(0)} MB`,
    delta: `+${(c.peakRssMb - c.idleRssMb).toFixed(0)} MB`,
    target: '',
    met: null,
  });
  for (const [what, p] of [
    ['bare pipe', r.concurrentPipe],
    ["bare pipe on undici (the proxy's client)", r.concurrentUndiciPipe],
  ] as const) {
    rows.push({
      row: `${p.streams} concurrent streams: ${what} RSS, idle → peak (${p.errors} errors)`,
      baseline: `${p.idleRssMb.toFixed(0)} MB`,
      subject: `${p.peakRssMb.toFixed(0)} MB`,
      delta: `+${(p.peakRssMb - p.idleRssMb).toFixed(0)} MB`,
      target: '',
      met: null,
    });
  }
  return rows;
}

export function reviewRows(r: ReviewResults): Row[] {
  const x = r.analyze.median / r.gitLog.median;
  const n = r.commits.toLocaleString('en-US');
  return [
    {
      row: `review --analyze, ${n} commits: git log → review (CLI), median`,
      baseline: ms(r.gitLog.median, 0),
      subject: ms(r.analyze.median, 0),
      delta: ratio(x),
      target: `≤ ${times(TARGETS.reviewVsGitLog)}`,
      met: x <= TARGETS.reviewVsGitLog,
    },
    {
      row: `review --analyze, ${n} commits: git log > /dev/null → review (CLI), median`,
      baseline: ms(r.gitLogDevNull.median, 0),
      subject: ms(r.analyze.median, 0),
      delta: ratio(r.analyze.median / r.gitLogDevNull.median),
      target: '',
      met: null,
    },
  ];
}

export function dashboardRows(d: DashboardResults): Row[] {
  const f = d.firstPaint;
  const s = d.switchShown;
  const hx = d.history.api.median / d.history.gitLog.median;
  const fx = f.dashboard.median / f.bare.median;
  const n = d.commits.toLocaleString('en-US');
  const sw = TARGETS.switchShownOverEventsMs;
  return [
    {
      row: 'dashboard first paint (FCP, fresh browser context): bare HTML page → dashboard, median',
      baseline: ms(f.bare.median, 0),
      subject: ms(f.dashboard.median, 0),
      delta: ratio(fx),
      target: `≤ ${times(TARGETS.firstPaintVsBarePage)}`,
      met: fx <= TARGETS.firstPaintVsBarePage,
    },
    {
      row: 'dashboard first paint → active tier shown, median',
      baseline: ms(f.dashboard.median, 0),
      subject: ms(f.activeTier.median, 0),
      delta: signedMs(f.activeTier.median - f.dashboard.median, 0),
      target: '',
      met: null,
    },
    {
      row: 'switch → shown: event stream client → dashboard page, median',
      baseline: ms(s.events.median, 0),
      subject: ms(s.page.median, 0),
      delta: signedMs(s.page.median - s.events.median, 0),
      target: `≤ +${sw} ms`,
      met: s.page.median - s.events.median <= sw,
    },
    {
      row: 'switch → shown: event stream client → dashboard page, p99',
      baseline: ms(s.events.p99, 0),
      subject: ms(s.page.p99, 0),
      delta: signedMs(s.page.p99 - s.events.p99, 0),
      target: `≤ +${sw} ms`,
      met: s.page.p99 - s.events.p99 <= sw,
    },
    {
      row: `history view, ${n} commits: git log -n 200 → dashboard history API, median`,
      baseline: ms(d.history.gitLog.median, 0),
      subject: ms(d.history.api.median, 0),
      delta: ratio(hx),
      target: `≤ ${times(TARGETS.historyVsGitLog)}`,
      met: hx <= TARGETS.historyVsGitLog,
    },
  ];
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      /** Node flags for the proxy processes (space-separated), to try a setting against the same baselines. */
      'proxy-flags': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      "npm run bench -- [--quick] [--only proxy,hooks,notes,review,dashboard,cli,ledger,routing] [--cpu-prof] [--proxy-flags '--max-semi-space-size=1']\n",
    );
    return 0;
  }
  const quick = values.quick ?? false;
  const parts = ['proxy', 'hooks', 'notes', 'review', 'dashboard', 'cli', 'ledger', 'routing'];
  const only = new Set((values.only ?? parts.join(',')).split(','));
  const unknown = [...only].filter((p) => !parts.includes(p));
  if (unknown.length) {
    process.stderr.write(`bench: --only: no part ${unknown.join(', ')} (the parts: ${parts.join(', ')})\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const out = join(ROOT, 'bench-results');
  mkdirSync(out, { recursive: true });
  const profDir = join(out, 'profiles');
  // The proxy runs with the flags start.mjs gives it, unless --proxy-flags says otherwise (`--proxy-flags=` for none).
  const flags = values['proxy-flags'] === undefined ? [...PROXY_NODE_FLAGS] : values['proxy-flags'].split(' ').filter(Boolean);
  const proxyNodeArgs = [...flags, ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];

  const m = machine();
  const started = new Date();
  // The machine's load, at the start and the end: the ratios absorb a uniformly slower machine, not its bursts.
  const load = { start: loadavg()[0] };
  const results: {
    proxy?: ProxyResults;
    hooks?: HooksResults;
    notes?: HooksResults;
    review?: ReviewResults;
    dashboard?: DashboardResults;
    cli?: CliResults;
    ledger?: LedgerResults;
    routing?: RoutingResults;
  } = {};
  const rows: Row[] = [];
  if (only.has('proxy')) {
    results.proxy = await benchProxy({ quick, proxyNodeArgs, log });
    rows.push(...proxyRows(results.proxy, await bareNodeRssMb()));
  }
  if (only.has('hooks')) {
    log('hooks…');
    results.hooks = await benchHooks({ commits: quick ? 10 : 40 });
    rows.push(...hooksRows(results.hooks));
  }
  if (only.has('notes')) {
    log('hooks with attribution notes written…');
    results.notes = await benchHooks({ commits: quick ? 10 : 40, notes: true });
    rows.push(
      ...hooksRows(results.notes, ' (attribution notes)', {
        claudeCode: TARGETS.hooksNotesAddedMs,
        person: TARGETS.hooksNotesPersonAddedMs,
        verbose: TARGETS.hooksNotesAddedMs,
      }),
    );
  }
  if (only.has('review')) {
    log('review --analyze on 20,000 commits…');
    results.review = await benchReview({ commits: 20_000, runs: quick ? 3 : 7 });
    rows.push(...reviewRows(results.review));
  }
  if (only.has('dashboard')) {
    results.dashboard = await benchDashboard({ quick, proxyNodeArgs, log });
    rows.push(...dashboardRows(results.dashboard));
  }
  if (only.has('cli')) {
    results.cli = await benchCli({ quick, log });
    rows.push(...cliRows(results.cli));
  }
  if (only.has('ledger')) {
    results.ledger = await benchLedger({ quick, log });
    rows.push(...ledgerRows(results.ledger));
  }

  if (only.has('routing')) {
    log('routing a request…');
    results.routing = benchRouting({ quick });
    rows.push(...routingRows(results.routing));
  }

  const date = started.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const extra = flags.length > 0 ? `; proxy started with ${flags.join(' ')}` : '';
  const loadText = `load average ${load.start.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
  process.stdout.write(`${machineLine(m)}; ${date}; ${loadText}${quick ? '; --quick' : ''}${extra}\n\n${renderText(rows)}\n`);
  const report = {
    date: started.toISOString(),
    quick,
    proxyFlags: flags,
    machine: m,
    loadAverage: { start: load.start, end: loadavg()[0] },
    rows,
    results,
    markdown: renderMarkdown(rows),
  };
  writeFileSync(join(out, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\nwritten: bench-results/latest.json${values['cpu-prof'] ? '; proxy profiles in bench-results/profiles/' : ''}\n`);
  return rows.some((r) => r.met === false) ? 1 : 0;
}

const args = mainArgs(import.meta.url);
if (args) {
  main(args).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
}

// The large-ledger rows (`npm run bench -- --only ledger`): a generated year of ledger (ledger-gen.ts; 1M lines,
// ~195 MB; 100k with --quick) in a temporary repository, and what a user meets with it, each against a baseline of
// the same run:
//   - proxy start (`claude-fallback start`, from dist/ as users run it) to /health answering, against `node -e 0`;
//   - the dashboard's first usage answer (GET /_dashboard/api/usage, the last 24 hours) against `node -e 0`, the
//     longest gap between /health answers polled every 10 ms meanwhile against the same poll of a bare node:http
//     server in the same window, and the proxy's RSS three seconds after it against an idle bare node;
//   - `claude-fallback status` against `node -e 0`, alternating (its first call on a fresh proxy, and the median);
//   - `claude-fallback review -a` against `node -e 0` (a row without a target);
//   - a Claude Code commit's and a person's commit's hooks against the same commits without hooks (hooks-bench.ts).
// Every step has a timeout: what does not end in time is a row "timed out after N s" (a miss), never a hung run.

import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { configYaml } from '../../test-support/config-yaml.ts';
import { generateLedger, LEDGER_TIERS, type LedgerGenResult } from './ledger-gen.ts';
import { benchHooks, hooksRows, type HooksResults } from './hooks-bench.ts';
import { ROOT, TimedOut, bareNodeRssMb, peakRssMb, resetPeakRss, rssMb, spawnChild, timeProcess, within, type Child } from './processes.ts';
import { agent, freePort, get, pollGaps, sleep } from './probe.ts';
import { BIN, alive, launch, stopProxy, waitHealthy, type Running } from './cli-proxy.ts';
import { summarize, type Summary } from './stats.ts';
import { ms, ratio, signedMs, type Row } from './table.ts';
import { TARGETS, times } from './targets.ts';

const SERVERS = join(ROOT, 'scripts', 'bench', 'servers.ts');
const DAY = 86_400_000;

/** A figure, or why there is none (the step's timeout, or the process's failure). */
export type Outcome = { ms: number } | { failed: string };

export type LedgerRound = {
  start: Outcome;
  usage: Outcome;
  /** Longest gap between /health answers (ms) while the usage answer was computed: the proxy, a bare server. */
  stall: { proxy: number; bare: number; polls: number } | null;
  rss: { idleMb: number; peakMb: number; afterMb: number } | null;
};

export type LedgerResults = {
  quick: boolean;
  ledger: LedgerGenResult;
  nodeE0: Summary;
  bareNodeMb: number;
  rounds: LedgerRound[];
  status: { runs: Outcome[]; exitCodes: (number | null)[] };
  /** `claude-fallback review -a --json` in the ledger's repository (no target in issue 20: a row to read). */
  review: { runs: Outcome[]; exitCodes: (number | null)[] };
  hooks: HooksResults | { failed: string };
};

const outcome = async (what: () => Promise<number>): Promise<Outcome> => {
  try {
    return { ms: await what() };
  } catch (err) {
    return { failed: err instanceof TimedOut ? `timed out after ${err.seconds} s` : (err as Error).message.split('\n')[0] };
  }
};

export async function benchLedger(opts: { quick: boolean; log: (line: string) => void; lines?: number }): Promise<LedgerResults> {
  const { quick, log } = opts;
  const lines = opts.lines ?? (quick ? 100_000 : 1_000_000);
  const startTimeout = quick ? 30_000 : 60_000;
  const usageTimeout = quick ? 30_000 : 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-ledger-'));
  const repo = join(dir, 'repo');
  const configFile = join(dir, 'fallbackrc.yaml');
  const ledger = join(repo, '.git', 'model-ledger');
  const children: Child[] = [];
  let running: Running | null = null;
  try {
    mkdirSync(repo);
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], {
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
        stdio: 'ignore',
      });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'initial');
    // No request is made: the tiers point at a closed port; their names are the generated ledger's.
    const [claude, gemini, deepseek] = LEDGER_TIERS;
    writeFileSync(
      configFile,
      configYaml({
        tiers: [
          { name: claude, protocol: 'anthropic', base_url: 'http://127.0.0.1:9' },
          { name: gemini, protocol: 'gemini', base_url: 'http://127.0.0.1:9', api_key: 'bench-key', model: 'gemini-2.5-flash' },
          { name: deepseek, protocol: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'sk-bench', model: 'deepseek-v4-flash' },
        ],
      }),
    );
    log(`ledger: generating ${lines.toLocaleString('en-US')} lines…`);
    const gen = await generateLedger(ledger, { lines });
    log(`ledger: ${(gen.bytes / 2 ** 20).toFixed(0)} MB in ${(gen.ms / 1000).toFixed(1)} s`);
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'cli', 'dist.mjs'), '--build'], { stdio: 'ignore' }); // not timed
    const bare = await spawnChild(SERVERS, ['health'], { cwd: ROOT });
    children.push(bare);
    const bareNodeMb = await bareNodeRssMb();

    const nodeE0: number[] = [];
    const baseline = async () => nodeE0.push((await timeProcess([process.execPath, '-e', '0'])).ms);
    await baseline(); // warm the page cache for node itself

    const rounds: LedgerRound[] = [];
    const status: LedgerResults['status'] = { runs: [], exitCodes: [] };
    const roundCount = quick ? 1 : 3;
    for (let i = 0; i < roundCount; i++) {
      log(`ledger: proxy start and first usage answer (${i + 1}/${roundCount})…`);
      await baseline();
      const port = await freePort();
      const t0 = performance.now();
      const r = launch(repo, configFile, port);
      running = r;
      const round: LedgerRound = { start: { failed: '' }, usage: { failed: 'not reached' }, stall: null, rss: null };
      rounds.push(round);
      round.start = await outcome(() => waitHealthy(r, startTimeout, t0));
      await baseline();
      if ('failed' in round.start) {
        await stopProxy(r, ledger);
        running = null;
        continue;
      }
      await sleep(1000); // as a person opens the dashboard after the start
      const pid = r.proxyPid();
      const idleMb = pid ? rssMb(pid) : NaN;
      if (pid) resetPeakRss(pid);
      const polls = { proxy: pollGaps(`${r.url}/health`), bare: pollGaps(`${bare.url}/health`) };
      const since = Date.now() - DAY;
      round.usage = await outcome(() =>
        within(
          (async () => {
            const u0 = performance.now();
            const res = await get(`${r.url}/_dashboard/api/usage?since=${since}`, usageTimeout + 5000);
            if (res.status !== 200) throw new Error(`usage answered ${res.status}: ${res.body.slice(0, 200)}`);
            return performance.now() - u0;
          })(),
          usageTimeout,
          'usage',
        ),
      );
      const [p, b] = [await polls.proxy.stop(), await polls.bare.stop()];
      round.stall = { proxy: p.longest, bare: b.longest, polls: p.polls };
      if (pid && alive(pid)) {
        const peakMb = Math.max(peakRssMb(pid), rssMb(pid));
        await sleep(3000); // memory the answer held should be released by now
        round.rss = { idleMb, peakMb, afterMb: rssMb(pid) };
      }

      await stopProxy(r, ledger);
      running = null;
    }

    // status on a proxy of its own: its first call is the first time that proxy is asked about today's usage
    // (a usage answer before it would have warmed the proxy), the later ones what a status line poller meets.
    log('ledger: claude-fallback status…');
    {
      const r = launch(repo, configFile, await freePort());
      running = r;
      const up = await outcome(() => waitHealthy(r, startTimeout));
      if ('failed' in up) status.runs.push(up);
      else {
        await sleep(1000);
        const calls = quick ? 3 : 7;
        for (let k = 0; k < calls; k++) {
          let code: number | null = null;
          status.runs.push(
            await outcome(async () => {
              const t = await timeProcess([process.execPath, BIN, 'status', '--repo', repo], { cwd: repo, timeoutMs: 30_000 });
              code = t.code;
              return t.ms;
            }),
          );
          status.exitCodes.push(code);
          await baseline();
        }
      }
      await stopProxy(r, ledger);
      running = null;
    }

    log('ledger: claude-fallback review -a…');
    const review: LedgerResults['review'] = { runs: [], exitCodes: [] };
    for (let k = 0; k < (quick ? 1 : 3); k++) {
      let code: number | null = null;
      review.runs.push(
        await outcome(async () => {
          const t = await timeProcess([process.execPath, BIN, 'review', '-a', '--json'], { cwd: repo, timeoutMs: 60_000 });
          code = t.code;
          return t.ms;
        }),
      );
      review.exitCodes.push(code);
      await baseline();
    }

    log('ledger: commits with the hooks…');
    let hooks: LedgerResults['hooks'];
    try {
      hooks = await benchHooks({
        commits: quick ? 6 : 20,
        noVerbose: true,
        timeoutMs: 30_000,
        // The same ledger (and the proxy's own start and stop lines), moved under the hooked repository.
        ledger: async (path) => renameSync(ledger, path),
      });
    } catch (err) {
      hooks = { failed: (err as Error).message.split('\n')[0] };
    }
    return { quick, ledger: gen, nodeE0: summarize(nodeE0.slice(1)), bareNodeMb, rounds, status, review, hooks };
  } finally {
    if (running) await stopProxy(running, ledger).catch(() => {});
    for (const c of children) await c.stop();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: Outcome[]): Outcome => {
  const ok = xs.filter((x): x is { ms: number } => 'ms' in x).map((x) => x.ms);
  const failed = xs.find((x): x is { failed: string } => 'failed' in x);
  if (failed && ok.length < xs.length / 2 + 0.5) return failed;
  return ok.length ? { ms: summarize(ok).median } : (failed ?? { failed: 'not measured' });
};

export function ledgerRows(r: LedgerResults): Row[] {
  const count = r.ledger.lines >= 1e6 ? `${+(r.ledger.lines / 1e6).toFixed(1)}M` : `${Math.round(r.ledger.lines / 1e3)}k`;
  const n = `${count}-line ledger (${(r.ledger.bytes / 2 ** 20).toFixed(0)} MB${r.quick ? ', --quick' : ''})`;
  const e0 = r.nodeE0.median;
  const inE0 = (label: string, o: Outcome, limit: number, budget: string): Row =>
    'failed' in o
      ? { row: label, baseline: ms(e0, 0), subject: o.failed, delta: '', target: `≤ ${times(limit)} (${budget})`, met: false }
      : {
          row: label,
          baseline: ms(e0, 0),
          subject: ms(o.ms, 0),
          delta: ratio(o.ms / e0),
          target: `≤ ${times(limit)} (${budget})`,
          met: o.ms / e0 <= limit,
        };
  const rows: Row[] = [];
  const rounds = r.rounds.length;
  rows.push(
    inE0(
      `${n}: node -e 0 → proxy start (claude-fallback start to /health answering), median of ${rounds}`,
      median(r.rounds.map((x) => x.start)),
      TARGETS.proxyStartInNodeE0,
      '1 s at a quiet node',
    ),
  );
  rows.push(
    inE0(
      `${n}: node -e 0 → the dashboard's first usage answer (last 24 h)`,
      median(r.rounds.map((x) => x.usage)),
      TARGETS.usageAnswerInNodeE0,
      '500 ms at a quiet node',
    ),
  );
  const stalls = r.rounds.flatMap((x) => (x.stall ? [x.stall] : []));
  if (stalls.length) {
    const worst = stalls.reduce((a, b) => (b.proxy - b.bare > a.proxy - a.bare ? b : a));
    const d = worst.proxy - worst.bare;
    rows.push({
      row: `${n}: longest gap between /health answers polled every 10 ms while usage is computed: bare node:http → proxy, worst of ${stalls.length}`,
      baseline: ms(worst.bare, 0),
      subject: ms(worst.proxy, 0),
      delta: signedMs(d, 0),
      target: `≤ +${TARGETS.stallOverBareMs} ms`,
      met: d <= TARGETS.stallOverBareMs,
    });
  } else
    rows.push({
      row: `${n}: event-loop stall while usage is computed`,
      baseline: '',
      subject: 'not measured (the proxy did not start)',
      delta: '',
      target: `≤ +${TARGETS.stallOverBareMs} ms`,
      met: false,
    });
  const rss = r.rounds.flatMap((x) => (x.rss ? [x.rss] : []));
  if (rss.length) {
    const after = Math.max(...rss.map((x) => x.afterMb));
    const d = after - r.bareNodeMb;
    rows.push({
      row: `${n}: proxy RSS 3 s after the usage answer: idle bare node → proxy, highest of ${rss.length}`,
      baseline: mb(r.bareNodeMb),
      subject: mb(after),
      delta: `+${d.toFixed(0)} MB`,
      target: `≤ +${TARGETS.rssOverBareNodeMb} MB (150 MB)`,
      met: d <= TARGETS.rssOverBareNodeMb,
    });
    const peak = Math.max(...rss.map((x) => x.peakMb));
    const idle = Math.min(...rss.map((x) => x.idleMb));
    rows.push({
      row: `${n}: proxy RSS, idle after start → peak while usage is computed`,
      baseline: mb(idle),
      subject: mb(peak),
      delta: `+${(peak - idle).toFixed(0)} MB`,
      target: '',
      met: null,
    });
  } else
    rows.push({
      row: `${n}: proxy RSS after the usage answer`,
      baseline: mb(r.bareNodeMb),
      subject: 'not measured (the proxy did not start)',
      delta: '',
      target: `≤ +${TARGETS.rssOverBareNodeMb} MB (150 MB)`,
      met: false,
    });
  if (r.status.runs.length) {
    const bad = r.status.exitCodes.filter((c) => c !== 0);
    const note = bad.length ? ` (exit ${bad.join(', ')})` : '';
    const first = inE0(
      `${n}: node -e 0 → claude-fallback status, first call after the proxy started${note}`,
      r.status.runs[0],
      TARGETS.statusInNodeE0,
      '300 ms at a quiet node',
    );
    const all = inE0(
      `${n}: node -e 0 → claude-fallback status, median of ${r.status.runs.length}${note}`,
      median(r.status.runs),
      TARGETS.statusInNodeE0,
      '300 ms at a quiet node',
    );
    for (const row of [first, all]) if (bad.length) row.met = false;
    rows.push(first, all);
  }
  if (r.review.runs.length) {
    const bad = r.review.exitCodes.filter((c) => c !== 0);
    const row = inE0(
      `${n}: node -e 0 → claude-fallback review -a --json, median of ${r.review.runs.length}${bad.length ? ` (exit ${bad.join(', ')})` : ''}`,
      median(r.review.runs),
      0,
      '',
    );
    rows.push({ ...row, target: '', met: null });
  }
  if ('failed' in r.hooks)
    rows.push({
      row: `git commit, ${n}: hooks`,
      baseline: '',
      subject: r.hooks.failed,
      delta: '',
      target: `≤ +${TARGETS.hooksClaudeCodeAddedMs} / +${TARGETS.hooksPersonAddedMs} ms`,
      met: false,
    });
  else rows.push(...hooksRows(r.hooks, `, ${n}`));
  return rows;
}

const mb = (n: number) => `${n.toFixed(0)} MB`;

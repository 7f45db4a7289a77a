// The `claude-fallback` rows of the benchmark (`npm run bench -- --only cli`): start-up overhead of
// `claude-fallback -- <command>` against starting the command directly, the proxy's idle RSS against a bare
// node and against the proxy under tsx (how scripts/start.mjs runs it), and the status line's time per call.
// All on a temporary repository whose one tier is a closed port on 127.0.0.1 (no request is made).

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { ROOT, bareNodeRssMb } from './processes.ts';
import { TARGETS, times } from './targets.ts';
import { shuffled, summarize, type Summary } from './stats.ts';
import { ms, ratio, signedMs, type Row } from './table.ts';

export type CliResults = {
  /** `nodeE0` is `node -e 0`, spawn to exit, alternating with the other two: the unit the added start-up is counted in. */
  startup: { direct: Summary; via: Summary; nodeE0: Summary; runs: number };
  rss: { bareNodeMb: number; tsxProxyMb: number; proxyMb: number; launcherMb: number };
  statusline: { sh: Summary; node: Summary; shBaseline: Summary; nodeBaseline: Summary; runs: number };
};

const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');
const nowMs = () => performance.timeOrigin + performance.now();

function makeRepo(): string {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), 'cf-bench-')));
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(
    join(repo, '.fallbackrc.yaml'),
    JSON.stringify({
      proxy: { port: 0 },
      tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }],
      git: { auto_commit: false },
    }),
  );
  return repo;
}

/** Milliseconds from spawning `argv` to the moment its `sh -c 'date +%s%N'` runs. */
function timeToCommand(argv: string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = nowMs();
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('exit', () => {
      const ns = /^(\d{16,})$/m.exec(out)?.[1];
      if (!ns) return fail(new Error(`no timestamp from ${argv.join(' ')}: ${out}`));
      done(Number(BigInt(ns) / 1000n) / 1000 - t0);
    });
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function health(url: string): Promise<boolean> {
  return new Promise((done) => {
    const r = request(`${url}/health`, { timeout: 2000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    r.on('error', () => done(false));
    r.end();
  });
}

/** Starts a foreground proxy (`claude-fallback start` or scripts/start.mjs), waits until it answers and idles. */
async function idleProxy(argv: string[], repo: string): Promise<{ launcher: number; proxy: number; stop(): Promise<void> }> {
  const child = spawn(argv[0], argv.slice(1), { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export ANTHROPIC_BASE_URL=(\S+)/.exec(out);
      if (m) done(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`${argv.join(' ')} exited ${code}`)));
  });
  while (!(await health(url))) await sleep(50);
  await sleep(2000); // settle: start-up garbage collected, timers quiet
  // The proxy's pid, whichever way it was started: its ledger start line names it.
  const starts = readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.includes('"kind":"start"'));
  const proxy = JSON.parse(starts.at(-1)!).pid as number;
  return {
    launcher: child.pid!,
    proxy,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function timeCall(argv: string[], input: string): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = nowMs();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', fail);
    child.on('exit', () => done(nowMs() - t0));
    child.stdin.end(input);
  });
}

export async function benchCli(opts: { quick: boolean; log: (line: string) => void }): Promise<CliResults> {
  const repo = makeRepo();
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'cli', 'dist.mjs'), '--build'], { stdio: 'ignore' }); // not timed

  opts.log('cli: start-up of claude-fallback -- command…');
  const runs = opts.quick ? 8 : 30;
  const cmd = ['sh', '-c', 'date +%s%N'];
  const direct: number[] = [];
  const via: number[] = [];
  const nodeE0: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const which of shuffled(['direct', 'via', 'node'] as const)) {
      if (which === 'direct') direct.push(await timeToCommand(cmd, repo));
      else if (which === 'via') via.push(await timeToCommand([process.execPath, BIN, '--', ...cmd], repo));
      else nodeE0.push(await timeCall([process.execPath, '-e', '0'], ''));
    }
    await sleep(100); // the proxy of the last run stops in the background
  }

  opts.log('cli: idle RSS…');
  const bareNodeMb = await bareNodeRssMb();
  const ours = await idleProxy([process.execPath, BIN, 'start', '--no-hooks'], repo);
  const proxyMb = rssMb(ours.proxy);
  const launcherMb = rssMb(ours.launcher);
  await ours.stop();
  const zx = join(ROOT, 'node_modules', '.bin', 'zx');
  const old = await idleProxy([zx, join(ROOT, 'scripts', 'start.mjs'), '--no-hooks', '--port', '0'], repo);
  const tsxProxyMb = rssMb(old.proxy);
  await old.stop();

  opts.log('cli: status line…');
  const proxyForLine = await idleProxy([process.execPath, BIN, 'start', '--no-hooks'], repo);
  const file = join(repo, '.git', 'fallback-proxy.run');
  const session = JSON.stringify({ workspace: { current_dir: repo }, model: { display_name: 'Opus' } });
  const calls = opts.quick ? 15 : 60;
  const sh: number[] = [];
  const node: number[] = [];
  const base: number[] = [];
  const bareNode: number[] = [];
  for (let i = 0; i < calls; i++) {
    for (const which of shuffled(['sh', 'node', 'base', 'bareNode'] as const)) {
      if (which === 'sh') sh.push(await timeCall(['sh', join(ROOT, 'scripts', 'cli', 'statusline.sh'), file], session));
      else if (which === 'node') node.push(await timeCall([process.execPath, BIN, 'statusline'], session));
      else if (which === 'base') base.push(await timeCall(['sh', '-c', 'cat > /dev/null'], session));
      else bareNode.push(await timeCall([process.execPath, '-e', '0'], session));
    }
  }
  await proxyForLine.stop();
  return {
    startup: { direct: summarize(direct), via: summarize(via), nodeE0: summarize(nodeE0), runs },
    rss: { bareNodeMb, tsxProxyMb, proxyMb, launcherMb },
    statusline: { sh: summarize(sh), node: summarize(node), shBaseline: summarize(base), nodeBaseline: summarize(bareNode), runs: calls },
  };
}

export function cliRows(r: CliResults): Row[] {
  const s = r.startup;
  const added = s.via.median - s.direct.median;
  const inE0 = added / s.nodeE0.median;
  const l = r.statusline;
  const rss = r.rss.proxyMb - r.rss.bareNodeMb;
  const line = l.sh.median / l.shBaseline.median;
  return [
    {
      row: `start-up added by claude-fallback -- command (to the command's start) over the command alone, in node -e 0s, median of ${s.runs}`,
      baseline: `${ms(s.nodeE0.median, 1)} (node -e 0)`,
      subject: signedMs(added, 1),
      delta: ratio(inE0),
      target: `≤ ${times(TARGETS.cliStartupAddedInNodeE0)} (150 ms at a quiet node)`,
      met: inE0 <= TARGETS.cliStartupAddedInNodeE0,
    },
    {
      row: 'start-up: command directly → via claude-fallback -- command, median',
      baseline: ms(s.direct.median, 1),
      subject: ms(s.via.median, 1),
      delta: signedMs(added, 1),
      target: '',
      met: null,
    },
    {
      row: 'start-up: command directly → via claude-fallback -- command, p99',
      baseline: ms(s.direct.p99, 1),
      subject: ms(s.via.p99, 1),
      delta: signedMs(s.via.p99 - s.direct.p99, 1),
      target: '',
      met: null,
    },
    {
      row: 'proxy idle RSS (Node 20): bare node → the proxy from dist/ (claude-fallback start)',
      baseline: mb(r.rss.bareNodeMb),
      subject: mb(r.rss.proxyMb),
      delta: `+${rss.toFixed(0)} MB`,
      target: `≤ +${TARGETS.idleRssOverBareNodeMb} MB (70 MB)`,
      met: rss <= TARGETS.idleRssOverBareNodeMb,
    },
    {
      row: 'proxy idle RSS: under tsx (scripts/start.mjs) → from dist/',
      baseline: mb(r.rss.tsxProxyMb),
      subject: mb(r.rss.proxyMb),
      delta: `${(r.rss.proxyMb - r.rss.tsxProxyMb).toFixed(0)} MB`,
      target: '',
      met: null,
    },
    {
      row: 'the waiting claude-fallback process beside the proxy, idle RSS',
      baseline: '',
      subject: mb(r.rss.launcherMb),
      delta: '',
      target: '',
      met: null,
    },
    {
      row: `status line per call, as claude-fallback -- claude sets it (sh): sh -c 'cat > /dev/null' → it, median of ${l.runs}`,
      baseline: ms(l.shBaseline.median, 1),
      subject: ms(l.sh.median, 1),
      delta: ratio(line),
      target: `≤ ${times(TARGETS.statuslineVsShCat)} (50 ms at a quiet sh)`,
      met: line <= TARGETS.statuslineVsShCat,
    },
    {
      row: 'status line per call, as claude-fallback -- claude sets it (sh), p99',
      baseline: ms(l.shBaseline.p99, 1),
      subject: ms(l.sh.p99, 1),
      delta: signedMs(l.sh.p99 - l.shBaseline.p99, 1),
      target: '',
      met: null,
    },
    // Not what Claude Code runs when claude-fallback starts it (the sh row above); almost all of it is node's own start-up.
    {
      row: `status line per call, claude-fallback statusline (node): node -e 0 → it, median of ${l.runs}`,
      baseline: ms(l.nodeBaseline.median, 1),
      subject: ms(l.node.median, 1),
      delta: signedMs(l.node.median - l.nodeBaseline.median, 1),
      target: '',
      met: null,
    },
  ];
}

const mb = (n: number) => `${n.toFixed(0)} MB`;

// Benchmark: `--analyze` on a generated repository against the bare `git log` pass it needs (budget: ≤ 2×).

import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { git } from '../../proxy/git/git.ts';
import { analyze } from './analyze.ts';
import { generateRepo } from './generate-repo.ts';
import { historyArgs } from './history.ts';
import { priceLookup } from './prices.ts';
import { loadRepoState } from './repo-state.ts';

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../review.ts');

export type AnalyzeBench = {
  commits: number;
  generate_ms: number;
  /** Medians of `runs` runs, ms: the pass read through the git runner, as the review reads it… */
  git_log_ms: number;
  /** …and the same command with its output thrown away (`git log … > /dev/null`). */
  git_log_devnull_ms: number;
  analyze_in_process_ms: number;
  /** The whole CLI as a user runs it, node and tsx start-up included. */
  analyze_cli_ms: number;
  ratio_in_process: number;
  ratio_cli: number;
  ratio_cli_devnull: number;
};

function gitToDevNull(dir: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('git', ['-C', dir, ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`git log exited ${code}`))));
  });
}

/** Medians per measure; the measures take turns each round, so a busy machine slows them alike. */
async function medians(runs: number, measures: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(measures).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(measures)) {
      const t0 = performance.now();
      await fn();
      times[name].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, list]) => [k, list.sort((a, b) => a - b)[Math.floor(list.length / 2)]]));
}

export async function benchAnalyze(opts: { commits?: number; runs?: number; dir?: string } = {}): Promise<AnalyzeBench> {
  const commits = opts.commits ?? 20_000;
  const runs = opts.runs ?? 7;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'review-bench-'));
  try {
    const t0 = performance.now();
    await generateRepo(dir, { commits, models: ['claude', 'gemini-flash', 'deepseek'] });
    const generateMs = performance.now() - t0;
    const args = historyArgs();
    await git(dir, args); // warm the page cache for both sides
    const m = await medians(runs, {
      gitLog: () => git(dir, args),
      gitDevNull: () => gitToDevNull(dir, args),
      inProcess: async () => {
        const s = await loadRepoState(dir);
        return analyze({ ...s, tierOrder: s.config.tiers.map((t) => t.name), window: {}, lookup: priceLookup(s.config) });
      },
      cli: () => execa(process.execPath, ['--import', 'tsx', SCRIPT, '-a', '--json', '--repo', dir], { cwd: resolve(dirname(SCRIPT), '..') }),
    });
    const { gitLog, gitDevNull, inProcess, cli } = m;
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      commits,
      generate_ms: round(generateMs),
      git_log_ms: round(gitLog),
      git_log_devnull_ms: round(gitDevNull),
      analyze_in_process_ms: round(inProcess),
      analyze_cli_ms: round(cli),
      ratio_in_process: Math.round((inProcess / gitLog) * 100) / 100,
      ratio_cli: Math.round((cli / gitLog) * 100) / 100,
      ratio_cli_devnull: Math.round((cli / gitDevNull) * 100) / 100,
    };
  } finally {
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  void benchAnalyze({ commits: Number(process.argv[2] ?? 20_000) }).then((r) => {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    process.exitCode = r.ratio_cli <= 2 ? 0 : 1;
  });
}

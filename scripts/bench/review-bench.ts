// `review --analyze` as a user runs it (node, tsx and all) on a generated 20,000-commit repository, against
// the bare `git log` pass it needs, alternating the two. The repository comes from scripts/review's generator.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../../proxy/git/git.ts';
import { generateRepo } from '../../proxy/review/generate-repo.ts';
import { historyArgs } from '../../proxy/review/history.ts';
import { ROOT, runToEnd } from './processes.ts';
import { shuffled, summarize, type Summary } from './stats.ts';

export type ReviewResults = { commits: number; generateMs: number; gitLog: Summary; gitLogDevNull: Summary; analyze: Summary };

export async function benchReview(opts: { commits: number; runs: number }): Promise<ReviewResults> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-review-'));
  try {
    const t0 = performance.now();
    await generateRepo(dir, { commits: opts.commits, models: ['claude', 'gemini-flash', 'deepseek'] });
    const generateMs = performance.now() - t0;
    const args = historyArgs();
    const cli = [join(ROOT, 'scripts', 'review.ts'), '-a', '--json', '--repo', dir];
    const sides = {
      gitLog: () => git(dir, args),
      gitLogDevNull: () => runToEnd('git', ['-C', dir, ...args], { cwd: ROOT, output: 'ignore' }),
      analyze: () => runToEnd(process.execPath, ['--import', 'tsx', ...cli], { cwd: ROOT, output: 'read' }),
    };
    const times: Record<keyof typeof sides, number[]> = { gitLog: [], gitLogDevNull: [], analyze: [] };
    for (let i = -1; i < opts.runs; i++) {
      for (const side of shuffled(Object.keys(sides) as (keyof typeof sides)[])) {
        const t = performance.now();
        await sides[side]();
        if (i >= 0) times[side].push(performance.now() - t); // round -1 warms the page cache and tsx's cache
      }
    }
    return {
      commits: opts.commits,
      generateMs,
      gitLog: summarize(times.gitLog),
      gitLogDevNull: summarize(times.gitLogDevNull),
      analyze: summarize(times.analyze),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

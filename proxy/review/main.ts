// The review CLI: what did each model do, and accept or roll back one model's work (`npm run review -- -h`).

import { parseArgs } from 'node:util';
import { git } from '../git/git.ts';
import { EXIT } from '../exit-codes.ts';
import { ReviewError } from './errors.ts';
import { PRICES_READ_ON } from '../prices.ts';
import { loadRepoState } from './repo-state.ts';
import type { Window } from './usage.ts';
import { OPTIONS, type IO, type Values, type View } from './options.ts';

export type { IO, Values, View } from './options.ts';

export const HELP = `Usage: npm run review -- [view] [options]      (or: npx tsx scripts/review.ts …)

What each model did in this repository, from the git trailers (Model: <tier>), the run
tags (<tag_prefix><tier>-<YYYYMMDD-HHMMSS-mmm>) and the ledger (.git/model-ledger).

Views (one at a time; --analyze when none is given):
  -a, --analyze            one row per model and one for commits without a model: commits
                           pending / accepted / rolled back, runs, files touched, lines added
                           and removed, first and last commit, tokens in and out and cost
                           (from the ledger's usage lines), and a total
  -s, --show <model>       the model's pending commits with their diffs (--all: every commit),
                           through your git pager when the output is a terminal
      --accept <model>     accept the model's work: run tags <prefix><model>-* become
                           accepted-<model>-*, a ledger "accept" line records the commits
        --test "<cmd>"       run the command first; refuse to accept when it fails (and refuse
                             a dirty tree, which the test would judge too)
        --rollback-on-fail   with --test: roll the work back instead when it fails
      --rollback <model>   revert the model's pending commits that HEAD reaches, newest first,
                           in one commit (trailers Model-Rollback, Reverts); its run tags become
                           rolledback-<model>-*. Refuses staged or unstaged changes to tracked
                           files (untracked files are fine) and a merge, rebase, cherry-pick or
                           revert in progress; on a conflict nothing changes. Keeps the
                           person's lines (from the commits' attribution notes); refuses where
                           a person's and a model's lines share a hunk, naming the files
        --dry-run            list what would be reverted and renamed, change nothing
      --log                the switch timeline: when, from -> to, why, how long each model ran,
                           the auto-commit
      --costs              tokens and cost by model, by routing rule and by UTC day
      --blame <file>       git blame with each line's model (or person), from the attribution
                           notes (refs/notes/claude-fallback); --rev REV blames REV instead of
                           the work tree
      --lines              what each model wrote that lasted: the lines at HEAD per model, in
                           the files the notes name

Options:
      --json               machine-readable output (schema in docs/review.md); errors too
      --repo DIR           the repository (default: the directory npm was started in, INIT_CWD,
                           else the current directory)
      --config FILE        the config (default: <repo>/.fallbackrc.yaml, else the project's)
      --since DATE         only commits and ledger lines from DATE (anything git log --since
      --until DATE         takes: 2026-11-01, "2 weeks ago")
  -h, --help               this text

Cost: a tier's price in the config (USD per million input, output, cache_read tokens) or a
built-in price for well-known models (read ${PRICES_READ_ON}); no price shows as unknown, never 0.
Colour only on a terminal and never with NO_COLOR.

Exit codes: 0 done; 1 unexpected failure; 2 bad arguments or unknown model; 3 cannot run
here (not a git repository, no ledger yet, broken config); 4 refused, nothing changed (dirty
tree, failing --test, merge commit, a person's and a model's lines in one hunk); 5 rollback conflict, nothing changed.
`;

/** Parses argv into the one view asked for; a usage error names the problem. */
export function parseCli(argv: string[]): { view: View; values: Values } | { help: true } {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ReviewError(`${(err as Error).message} (see --help)`, EXIT.usage);
  }
  if (values.help) return { help: true };
  const views = (['analyze', 'show', 'accept', 'rollback', 'log', 'costs', 'blame', 'lines'] as const).filter(
    (v) => values[v] !== undefined && values[v] !== false,
  );
  if (views.length > 1) throw new ReviewError(`choose one view, not ${views.map((v) => `--${v}`).join(' and ')}`, EXIT.usage);
  const view = views[0] ?? 'analyze';
  const misplaced: [boolean, string][] = [
    [values.all !== undefined && view !== 'show', '--all goes with --show'],
    [values['dry-run'] !== undefined && view !== 'rollback', '--dry-run goes with --rollback'],
    [values.test !== undefined && view !== 'accept', '--test goes with --accept'],
    [values.rev !== undefined && view !== 'blame', '--rev goes with --blame'],
    [values['rollback-on-fail'] !== undefined && values.test === undefined, '--rollback-on-fail needs --accept and --test'],
  ];
  for (const [bad, message] of misplaced) if (bad) throw new ReviewError(message, EXIT.usage);
  return { view, values };
}

/**
 * `--since`/`--until` read by git's own date parser, the careful one: `git log --since` takes anything and
 * reads nonsense as "now", while an expiry-date config value is refused when git cannot parse it.
 */
export async function parseWindow(repo: string, since: string | undefined, until: string | undefined): Promise<Window> {
  const w: Window = {};
  for (const [flag, value] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (value === undefined) continue;
    const r = await git(repo, ['-c', `review.window=${value}`, 'config', '--type=expiry-date', 'review.window'], { reject: false });
    const epoch = r.exitCode === 0 ? Number(r.stdout.trim()) : NaN;
    if (!Number.isFinite(epoch))
      throw new ReviewError(
        `--${flag} ${JSON.stringify(value)} is not a date git understands (try 2026-11-01 or "2 weeks ago")`,
        EXIT.usage,
      );
    w[flag] = epoch * 1000;
  }
  return w;
}

async function run(view: View, values: Values, io: IO): Promise<number> {
  // `npm --prefix <this project> run review` runs here but was started in the user's repository.
  const dir = values.repo ?? io.env.INIT_CWD ?? io.cwd;
  // The views load while git walks the history (the --analyze time budget).
  const [state, views] = await Promise.all([loadRepoState(dir, { config: values.config, env: io.env }), import('./views.ts')]);
  const window = await parseWindow(state.repo, values.since, values.until);
  return views.runView(view, values, state, window, io);
}

export async function main(argv: string[], io: IO): Promise<number> {
  const json = argv.includes('--json');
  try {
    const parsed = parseCli(argv);
    if ('help' in parsed) {
      io.stdout(HELP);
      return EXIT.ok;
    }
    return await run(parsed.view, parsed.values, io);
  } catch (err) {
    const e = err instanceof ReviewError ? err : new ReviewError((err as Error).message ?? String(err), EXIT.failed);
    if (json) io.stdout(JSON.stringify({ error: { message: e.message, exit_code: e.exitCode, ...e.details } }, null, 2) + '\n');
    const { chalkFor } = await import('./views.ts');
    io.stderr(`${chalkFor(io).red('review:')} ${e.message}\n`);
    return e.exitCode;
  }
}

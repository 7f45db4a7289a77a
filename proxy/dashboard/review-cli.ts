// Runs the review CLI with `--json` for the dashboard's per-model summary, dry run, accept and rollback: the same
// code, rules, messages and exit codes as in a terminal, in its own process, one at a time. A child keeps the
// review's full history pass (hundreds of MB and a busy event loop on 20,000 commits) out of the proxy, which
// must keep streaming answers meanwhile. What runs always comes from this installation (see README.md beside
// this file): the bundle's review entry when the proxy runs from dist/, else scripts/review.ts through the
// package's own tsx, both found from the package root.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { packageFile, runsBundled } from '../package-root.mjs';

export type ReviewRun = {
  exitCode: number;
  /** The JSON the CLI printed: the view's result, or `{error: {message, exit_code, …}}`. */
  json: unknown;
  stderr: string;
};

export type ReviewErrorJson = { error: { message: string; exit_code: number; [key: string]: unknown } };

export type ReviewOptions = { repo: string; configFile?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number };

export function reviewError(run: ReviewRun): ReviewErrorJson['error'] | null {
  const j = run.json as Partial<ReviewErrorJson> | null;
  return j && typeof j === 'object' && j.error && typeof j.error.message === 'string' ? j.error : null;
}

/**
 * The Node arguments that start the review entry of this installation. From dist/ (an installed package, or a
 * clone whose bin built it): the bundle's own `review` entry, named in dist/build.json, which needs no loader.
 * From the sources: the entry scripts/review.ts with `--import` of the tsx that Node resolves from the package
 * root (an absolute URL, so the child's working directory plays no part).
 */
export function reviewCommand(): string[] {
  if (runsBundled()) {
    let file: unknown;
    try {
      file = JSON.parse(readFileSync(packageFile('dist', 'build.json'), 'utf8'))?.entries?.review;
    } catch {
      file = undefined;
    }
    if (typeof file === 'string' && /^[\w.-]+\.mjs$/.test(file)) return [packageFile('dist', file)];
  }
  const tsx = createRequire(packageFile('package.json')).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href, packageFile('scripts', 'review.ts')];
}

/** `review <args> --json --repo <repo> [--config <file>]` in a child of this Node, in the repository. */
export function runReview(args: readonly string[], opts: ReviewOptions): Promise<ReviewRun> {
  const argv = [...reviewCommand(), ...args, '--json', '--repo', opts.repo, ...(opts.configFile ? ['--config', opts.configFile] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: opts.repo,
      env: { ...(opts.env ?? process.env), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = '';
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = `review ${args.join(' ')} took longer than ${opts.timeoutMs! / 1000} s and was stopped`;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let done = false;
    const finish = (exitCode: number, extra = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8') + extra;
      let json: unknown = null;
      try {
        if (timedOut) throw new Error(timedOut);
        json = JSON.parse(stdout);
      } catch {
        json = {
          error: {
            message: (timedOut || stderr.trim() || stdout.trim() || `review exited with code ${exitCode}`).replace(/^review: /, ''),
            exit_code: exitCode || 1,
          },
        };
      }
      resolve({ exitCode: timedOut ? 1 : exitCode, json, stderr });
    };
    child.on('error', (e) => finish(1, e.message));
    child.on('close', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

/** A read refused because the queue is full: the dashboard answers 429. */
export class ReviewBusy extends Error {}

export type ReviewQueue = {
  /**
   * Runs review when no other review child runs. A read (`action` false) waiting with the same arguments is shared
   * (30 identical GETs start at most two children); reads beyond `maxWaiting` distinct ones are refused with
   * ReviewBusy. Actions (accept, rollback) go before waiting reads and are never refused (one runs at a time anyway).
   */
  run(args: readonly string[], opts?: { action?: boolean; timeoutMs?: number }): Promise<ReviewRun>;
  /** Children running (0 or 1) and runs waiting, for tests and the log. */
  readonly load: { running: number; waiting: number };
};

type Job = {
  key: string;
  action: boolean;
  args: readonly string[];
  timeoutMs?: number;
  promise: Promise<ReviewRun>;
  resolve: (r: ReviewRun) => void;
};

export function createReviewQueue(base: ReviewOptions, opts: { maxWaiting?: number; run?: typeof runReview } = {}): ReviewQueue {
  const maxWaiting = opts.maxWaiting ?? 4;
  const start = opts.run ?? runReview;
  const waiting: Job[] = [];
  let running = 0;

  function pump(): void {
    if (running > 0) return;
    const job = waiting.shift();
    if (!job) return;
    running++;
    start(job.args, { ...base, timeoutMs: job.timeoutMs })
      .then(job.resolve, (e: Error) =>
        job.resolve({ exitCode: 1, json: { error: { message: e.message, exit_code: 1 } }, stderr: e.message }),
      )
      .finally(() => {
        running--;
        pump();
      });
  }

  return {
    run(args, { action = false, timeoutMs } = {}) {
      const key = JSON.stringify(args);
      if (!action) {
        const same = waiting.find((j) => !j.action && j.key === key);
        if (same) return same.promise;
        if (waiting.filter((j) => !j.action).length >= maxWaiting) {
          return Promise.reject(new ReviewBusy(`the review is busy (one run at a time, ${maxWaiting} waiting); try again in a moment`));
        }
      }
      let resolve!: (r: ReviewRun) => void;
      const promise = new Promise<ReviewRun>((r) => (resolve = r));
      const job: Job = { key, action, args, timeoutMs, promise, resolve };
      if (action) waiting.splice(waiting.filter((j) => j.action).length, 0, job);
      else waiting.push(job);
      pump();
      return promise;
    },
    get load() {
      return { running, waiting: waiting.length };
    },
  };
}

// Runs the review CLI (scripts/review.ts) with `--json` for the dashboard's per-model summary and its
// accept / rollback: the same code, rules, messages and exit codes as in a terminal, in its own process.
// A child keeps the review's full history pass (hundreds of MB and a busy event loop on 20,000 commits)
// out of the proxy, which must keep streaming answers meanwhile.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REVIEW_SCRIPT = join(ROOT, 'scripts', 'review.ts');

export type ReviewRun = {
  exitCode: number;
  /** The JSON the CLI printed: the view's result, or `{error: {message, exit_code, …}}`. */
  json: unknown;
  stderr: string;
};

export type ReviewErrorJson = { error: { message: string; exit_code: number; [key: string]: unknown } };

export function reviewError(run: ReviewRun): ReviewErrorJson['error'] | null {
  const j = run.json as Partial<ReviewErrorJson> | null;
  return j && typeof j === 'object' && j.error && typeof j.error.message === 'string' ? j.error : null;
}

/** `review <args> --json --repo <repo> [--config <file>]`, run by this Node with the tsx loader (Node 20 needs it). */
export function runReview(args: readonly string[], opts: { repo: string; configFile?: string; env?: NodeJS.ProcessEnv }): Promise<ReviewRun> {
  const argv = ['--import', 'tsx', REVIEW_SCRIPT, ...args, '--json', '--repo', opts.repo, ...(opts.configFile ? ['--config', opts.configFile] : [])];
  return new Promise((resolve) => {
    // cwd: the project, where `--import tsx` resolves; the repository is named by --repo.
    const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...(opts.env ?? process.env), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const finish = (exitCode: number, extra = '') => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8') + extra;
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = { error: { message: (stderr.trim() || stdout.trim() || `review exited with code ${exitCode}`).replace(/^review: /, ''), exit_code: exitCode || 1 } };
      }
      resolve({ exitCode, json, stderr });
    };
    child.on('error', (e) => finish(1, e.message));
    child.on('close', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

// The dashboard the proxy serves on its own port: the page at `/`, its files and a small JSON/SSE API
// under `/_dashboard/`. Everything the page shows comes from the running proxy (tier state, subscription
// limits, requests in flight), the ledger and git, read with the review's modules; accept and rollback
// run the review CLI itself. Its files come from the package root (they are not beside the running file once
// bundled into dist/). See README.md beside this file.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import { ProxyError } from '../wire/errors.ts';
import { git } from '../git/git.ts';
import { sharedLedgerIndex } from '../ledger/ledger-index.ts';
import { costsReport, timelineReport } from '../ledger/usage-query.ts';
import { PRICES_READ_ON, priceLookup } from '../prices.ts';
import { unpricedNote } from '../money.ts';
import { commitDiffs } from '../review/show.ts';
import type { Window } from '../review/usage.ts';
import { dashboardCookie, newSessionToken, refuseAction, refuseDashboard, SESSION_HEADER } from './guard.ts';
import { createLive } from './live.ts';
import { nowView } from './now.ts';
import type { RunSnapshot } from '../run/snapshot.ts';
import type { RunEvents } from '../run/events.ts';
import { recentCommits } from './recent-commits.ts';
import { createReviewQueue, ReviewBusy, reviewError, type ReviewRun } from './review-cli.ts';
import { packageFile } from '../package-root.mjs';
import { cssVariables } from '../model-colors.ts';

export const DASHBOARD_PREFIX = '/_dashboard';
const API = `${DASHBOARD_PREFIX}/api/`;
const HISTORY_LIMIT = 200;
const MAX_DIFF = 512 * 1024;
/** A read of review (models, dry run) that takes longer than this is stopped, so that it cannot hold the queue. */
const REVIEW_READ_TIMEOUT_MS = 120_000;

export type DashboardOptions = {
  server: Server;
  config: Config;
  repo: string;
  ledgerPath: string;
  /** The port the proxy listens on (known once it listens). */
  port: () => number;
  log: (line: string) => void;
  /** The Run's one snapshot (proxy/run/snapshot.ts), and its events (each may change it). */
  snapshot: () => RunSnapshot;
  events: RunEvents;
};

export type Dashboard = {
  /** This proxy run's session token, embedded in the page; actions must send it back. */
  readonly session: string;
  /** Whether the request is the dashboard's (`/` or under `/_dashboard`). */
  owns(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends the event streams (a page reconnects to the next proxy) and stops watching. */
  close(): void;
};

type StaticFile = { body: Buffer; type: string; etag: string };

const STATIC: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const PAGE_HEADERS = {
  // The page loads only its own files and talks only to this origin; no other site may frame it (clickjacking).
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

class ApiError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.details = details;
    this.headers = headers;
  }
}

/** Anthropic's error type for a status (https://docs.anthropic.com/en/api/errors), so that every error has its shape. */
function errorType(status: number): string {
  if (status === 400 || status === 405 || status === 409) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  return 'api_error';
}

async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new ApiError(413, `request body is larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'request body must be JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ApiError(400, 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

const MODEL_NAME = /^[A-Za-z0-9._-]{1,100}$/;

function modelParam(value: unknown): string {
  if (typeof value !== 'string' || !MODEL_NAME.test(value))
    throw new ApiError(400, 'model: a tier name (letters, digits, ".", "_", "-") is required');
  return value;
}

/** CLI exit codes as HTTP: refused / conflict / cannot run here are 409, bad arguments 400. */
function statusOf(run: ReviewRun): number {
  return run.exitCode === 0 ? 200 : run.exitCode === 2 ? 400 : run.exitCode === 1 ? 500 : 409;
}

export function createDashboard(opts: DashboardOptions): Dashboard {
  const { config } = opts;
  const session = newSessionToken();
  const lookup = priceLookup(config);
  const files = new Map<string, StaticFile>();
  let action: string | null = null;
  let models: { key: string; run: Promise<ReviewRun> } | null = null;

  const live = createLive({
    repo: opts.repo,
    ledgerPath: opts.ledgerPath,
    log: opts.log,
    snapshot: () => nowView(opts.snapshot()),
    events: opts.events,
  });

  function staticFile(name: string): StaticFile {
    let f = files.get(name);
    if (!f) {
      const file = readFileSync(packageFile('proxy', 'dashboard', 'static', name));
      // The models' colours are defined once (proxy/model-colors.ts), for this page and the terminal's blame.
      const body = name === 'app.css' ? Buffer.concat([Buffer.from(cssVariables()), file]) : file;
      f = {
        body,
        type: name.endsWith('.html') ? 'text/html; charset=utf-8' : STATIC[name],
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      };
      files.set(name, f);
    }
    return f;
  }

  function nowMessage() {
    return { server_time: new Date().toISOString(), now: nowView(opts.snapshot()) };
  }

  async function page(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await live.tail().read();
    // The state goes into the page itself, so that the active tier shows with the first paint of the data.
    const boot = JSON.stringify(nowMessage()).replace(/</g, '\\u003c');
    const html = staticFile('index.html')
      .body.toString('utf8')
      .replace('__SESSION__', () => session)
      .replace('__BOOT__', () => boot);
    // no-store: the page holds the session token, it must not sit in a cache.
    res.writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  function asset(req: IncomingMessage, res: ServerResponse, name: string): void {
    const f = staticFile(name);
    const headers = { ...PAGE_HEADERS, 'content-type': f.type, etag: f.etag, 'cache-control': 'no-cache' };
    if (req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': f.body.length });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  }

  async function refsKey(): Promise<string> {
    const [head, refs] = await Promise.all([
      git(opts.repo, ['rev-parse', '-q', '--verify', 'HEAD'], { reject: false }),
      git(opts.repo, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/tags'], { reject: false }),
    ]);
    return createHash('sha1').update(head.stdout).update(refs.stdout).digest('hex');
  }

  // One review child at a time: the page's reads wait (bounded; identical ones share a run) or get a 429.
  const reviews = createReviewQueue({ repo: opts.repo, configFile: config.file });
  async function review(args: string[], action = false): Promise<ReviewRun> {
    try {
      return await reviews.run(args, action ? {} : { timeoutMs: REVIEW_READ_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof ReviewBusy) throw new ApiError(429, err.message, {}, { 'retry-after': '1' });
      throw err;
    }
  }

  async function modelsSummary(): Promise<unknown> {
    const key = await refsKey();
    if (!models || models.key !== key) models = { key, run: review(['--analyze']) };
    const mine = models;
    const run = await mine.run.catch((e: unknown) => {
      if (models === mine) models = null; // refused (busy): the next request asks again
      throw e;
    });
    const err = reviewError(run);
    if (err) {
      if (models === mine) models = null;
      throw new ApiError(statusOf(run), err.message, err);
    }
    return { analyze: run.json, tier_order: config.tiers.map((t) => t.name), test_command: config.review.test ?? null };
  }

  /** From the ledger's running aggregates (proxy/ledger/): only what was appended since the last read is parsed. */
  async function usage(url: URL): Promise<unknown> {
    const window: Window = {};
    for (const k of ['since', 'until'] as const) {
      const v = url.searchParams.get(k);
      if (v === null || v === '') continue;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new ApiError(400, `${k}: a time in ms since the epoch is required, not ${JSON.stringify(v)}`);
      window[k] = n;
    }
    const summary = (await sharedLedgerIndex(opts.ledgerPath, { log: opts.log }).refresh()).snapshot();
    const costs = await costsReport(opts.ledgerPath, summary, window, lookup);
    // The note's wording is money.ts's, as in the CLI: the page shows it as sent.
    const unpriced_note = costs.total.unpriced.length ? unpricedNote(costs.total.unpriced, PRICES_READ_ON) : null;
    return { window, costs, unpriced_note, timeline: timelineReport(summary, window) };
  }

  async function commit(url: URL): Promise<unknown> {
    const sha = url.searchParams.get('sha') ?? '';
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new ApiError(400, 'sha: a full 40-character commit id is required');
    const exists = await git(opts.repo, ['cat-file', '-e', `${sha}^{commit}`], { reject: false });
    if (exists.exitCode !== 0) throw new ApiError(404, `no commit ${sha} in ${opts.repo}`);
    const text = (await commitDiffs(opts.repo, [sha], { color: false, header: true })).get(sha) ?? '';
    return { sha, text: text.length > MAX_DIFF ? text.slice(0, MAX_DIFF) : text, truncated: text.length > MAX_DIFF };
  }

  /** One accept or rollback at a time; the others are told what runs. */
  async function exclusive<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (action) throw new ApiError(409, `another action is running (${action}); wait for it to finish`);
    action = what;
    live.broadcast('action', { state: 'started', action: what });
    try {
      return await run();
    } finally {
      action = null;
      live.broadcast('action', { state: 'finished', action: what });
    }
  }

  async function accept(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const model = modelParam(body.model);
    const withTest = body.test === true;
    const test = config.review.test;
    if (withTest && !test) throw new ApiError(400, 'no test command is configured (review.test in the config)');
    const run = await exclusive(`accept ${model}`, () => review(['--accept', model, ...(withTest && test ? ['--test', test] : [])], true));
    const err = reviewError(run);
    sendJson(
      res,
      statusOf(run),
      err ? { ok: false, exit_code: run.exitCode, error: err } : { ok: true, exit_code: run.exitCode, result: run.json },
    );
  }

  async function rollback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const model = modelParam(body.model);
    const confirmed = body.commits;
    if (!Array.isArray(confirmed) || !confirmed.every((s) => typeof s === 'string'))
      throw new ApiError(400, 'commits: the list of commit ids shown by the dry run is required (what you confirmed)');
    const run = await exclusive(`rollback ${model}`, async () => {
      // The user confirmed a list: if the pending commits changed meanwhile, nothing is reverted.
      const plan = await review(['--rollback', model, '--dry-run'], true);
      if (reviewError(plan)) return plan;
      const planned = (plan.json as { commits: { sha: string }[] }).commits.map((c) => c.sha);
      if (planned.length !== confirmed.length || planned.some((s, i) => s !== confirmed[i])) {
        throw new ApiError(
          409,
          `the pending commits of ${model} changed since the list was shown; nothing was changed: look at the new list`,
          { plan: plan.json },
        );
      }
      return review(['--rollback', model], true);
    });
    const err = reviewError(run);
    sendJson(
      res,
      statusOf(run),
      err ? { ok: false, exit_code: run.exitCode, error: err } : { ok: true, exit_code: run.exitCode, result: run.json },
    );
  }

  async function api(req: IncomingMessage, res: ServerResponse, name: string, url: URL): Promise<void> {
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && name === 'now') {
      await live.tail().read();
      return sendJson(res, 200, nowMessage());
    }
    if (get && name === 'events') return live.attach(res);
    if (get && name === 'usage') return sendJson(res, 200, await usage(url));
    if (get && name === 'history') return sendJson(res, 200, await recentCommits(opts.repo, config.git.tagPrefix, HISTORY_LIMIT));
    if (get && name === 'models') return sendJson(res, 200, await modelsSummary());
    if (get && name === 'commit') return sendJson(res, 200, await commit(url));
    if (get && name === 'rollback-plan') {
      const run = await review(['--rollback', modelParam(url.searchParams.get('model')), '--dry-run']);
      const err = reviewError(run);
      return sendJson(res, statusOf(run), err ? { ok: false, exit_code: run.exitCode, error: err } : { ok: true, result: run.json });
    }
    if (name === 'accept' || name === 'rollback') {
      if (req.method !== 'POST') throw new ApiError(405, `${name} changes the repository: POST only`);
      const refused = refuseAction(req.headers, session);
      if (refused) throw new ApiError(403, refused);
      return name === 'accept' ? accept(req, res) : rollback(req, res);
    }
    throw new ApiError(404, `no dashboard API ${req.method} ${API}${name}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    // The proxy's own access rule, with the token also read from the dashboard's cookie or `?token=`.
    const refused = refuseDashboard(req, url, { host: config.proxy.host, port: opts.port(), token: config.proxy.token });
    if (refused) throw new ProxyError(403, 'permission_error', refused);
    const path = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && config.proxy.token !== undefined && url.searchParams.has('token')) {
      // The token came in the address: keep it in a cookie for this page only, and drop it from the address bar.
      res.writeHead(303, {
        location: path,
        'set-cookie': dashboardCookie(config.proxy.token, opts.port()),
        'cache-control': 'no-store',
      });
      return void res.end();
    }
    try {
      if (path === '/') {
        if (!get) throw new ApiError(405, 'the dashboard page answers GET');
        return await page(req, res);
      }
      const name = path.slice(DASHBOARD_PREFIX.length + 1);
      if (get && Object.hasOwn(STATIC, name)) return asset(req, res, name);
      if (path.startsWith(API)) return await api(req, res, path.slice(API.length), url);
      throw new ApiError(404, `no dashboard file ${path}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (res.headersSent) return void res.end();
      sendJson(
        res,
        err.status,
        { type: 'error', ok: false, error: { ...err.details, type: errorType(err.status), message: err.message } },
        err.headers,
      );
    }
  }

  return {
    session,
    owns(req) {
      const path = pathOf(req);
      return path === '/' || path === DASHBOARD_PREFIX || path.startsWith(`${DASHBOARD_PREFIX}/`);
    },
    handle,
    close: () => live.close(),
  };
}

export { SESSION_HEADER };

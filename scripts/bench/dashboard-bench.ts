// The dashboard's figures, in Debian's headless Chromium (playwright-core, never a downloaded browser), on a
// proxy in its own process for a generated 20,000-commit repository with a 20,000-line ledger:
//   - first paint of the page against a bare HTML page from node:http, and when the active tier shows;
//   - from a switch (the client getting the new tier's answer) to the page showing the new tier, against
//     the same switch reaching a plain event-stream client;
//   - the history view's API against the bare `git log` of the same 200 commits.
// Runs alternate the variants; each page load is a fresh browser context (nothing cached).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { git } from '../../proxy/git/git.ts';
import { generateRepo } from '../../proxy/review/generate-repo.ts';
import { historyArgs } from '../../proxy/review/history.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { createClient, timed } from './client.ts';
import { smallRequest, streams } from './payloads.ts';
import { ROOT, spawnChild } from './processes.ts';
import { shuffled, summarize, type Summary } from './stats.ts';
import { readSse } from '../../test-support/sse.ts';

const CHROMIUM = '/usr/bin/chromium';
const ENTRY = join(ROOT, 'scripts', 'bench', 'proxy-entry.ts');

export type DashboardResults = {
  commits: number;
  firstPaint: { bare: Summary; dashboard: Summary; activeTier: Summary };
  switchShown: { events: Summary; page: Summary };
  history: { gitLog: Summary; api: Summary };
};

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** Tier 0's upstream: a 429 (retry-after 1 s) when told to, else a short stream; tier 1's always streams. */
function upstreams(): { primary: Server; secondary: Server; fail(next: boolean): void } {
  const frames = streams().small.join('');
  let failNext = false;
  const answer = (fail: boolean) =>
    createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (fail && failNext) {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          return void res.end(
            '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}',
          );
        }
        res.writeHead(200, SSE_HEADERS);
        res.end(frames);
      });
    });
  return { primary: answer(true), secondary: answer(false), fail: (v) => (failNext = v) };
}

const listen = (s: Server) =>
  new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/** Records, from the very start of each document, when `#active-tier` names a tier (page clock, ms since navigation). */
const OBSERVE = `(() => {
  const seen = (window.__tiers = []);
  new MutationObserver(() => {
    const el = document.getElementById('active-tier');
    const t = el && el.dataset.tier;
    if (t && (seen.length === 0 || seen[seen.length - 1].tier !== t)) seen.push({ tier: t, at: performance.now(), wall: Date.now() });
  }).observe(document, { subtree: true, childList: true, attributes: true });
})()`;

type Paint = { fcp: number; tier: number | null };

async function loadOnce(browser: Browser, url: string, waitForTier: boolean): Promise<Paint> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    await page.goto(url);
    if (waitForTier) {
      await page.locator('#active-tier[data-tier]').waitFor();
      // Let the page finish its other loads, so that they do not run into the next sample.
      await page.locator('#commits li').first().waitFor();
      await page.locator('#models-body table, #models-body .action-status').first().waitFor();
      await page.locator('#usage-chart > *').first().waitFor();
    }
    await until(
      async () => ((await page.evaluate("performance.getEntriesByName('first-contentful-paint').length")) as number) > 0 || undefined,
      10_000,
      'a first paint',
    );
    return (await page.evaluate(`({
      fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
      tier: window.__tiers.length ? window.__tiers[0].at : null,
    })`)) as Paint;
  } finally {
    await context.close();
  }
}

/** Waits until `read()` gives a value other than undefined, polling every `everyMs`. */
async function until<T>(read: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 5): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`dashboard bench: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A plain event-stream client of the dashboard: records when each `now` event names a new active tier (wall clock). */
async function watchEvents(url: string): Promise<{ changes: { tier: string; wall: number }[]; stop(): void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const changes: { tier: string; wall: number }[] = [];
  const body = res.body!;
  void (async () => {
    try {
      for await (const e of readSse(body)) {
        if (e.event !== 'now') continue;
        const tier = (JSON.parse(e.data) as { now: { active: { tier: string } } }).now.active.tier;
        if (changes.length === 0 || changes[changes.length - 1].tier !== tier) changes.push({ tier, wall: Date.now() });
      }
    } catch {
      // stopped
    }
  })();
  return { changes, stop: () => abort.abort() };
}

export async function benchDashboard(opts: {
  quick: boolean;
  proxyNodeArgs?: string[];
  log?: (line: string) => void;
}): Promise<DashboardResults> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  const log = opts.log ?? (() => {});
  const commits = 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  const repo = join(dir, 'repo');
  const up = upstreams();
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head><body><h1>hello</h1></body></html>');
  });
  let browser: Browser | null = null;
  let proxy: Awaited<ReturnType<typeof spawnChild>> | null = null;
  try {
    log(`dashboard: generating ${commits.toLocaleString('en-US')} commits…`);
    await generateRepo(repo, { commits, models: ['claude', 'deepseek', 'gemini-flash'] });
    const [primary, secondary, bareUrl] = await Promise.all([listen(up.primary), listen(up.secondary), listen(bare)]);
    const configFile = join(dir, 'fallbackrc.yaml');
    writeFileSync(
      configFile,
      configYaml({
        tiers: [
          { name: 'claude', protocol: 'anthropic', base_url: primary },
          { name: 'deepseek', protocol: 'anthropic', base_url: secondary, api_key: 'sk-bench', model: 'deepseek-v4-flash' },
        ],
        fallback: { max_wait: '0s', first_byte_timeout: '30s' },
      }),
    );
    proxy = await spawnChild(ENTRY, [repo, configFile], { cwd: ROOT, nodeArgs: opts.proxyNodeArgs });
    const url = proxy.url;
    browser = await chromium.launch({ executablePath: CHROMIUM });

    log('dashboard: first paint…');
    const rounds = opts.quick ? 5 : 20;
    const paint = { bare: [] as number[], dashboard: [] as number[], activeTier: [] as number[] };
    for (let i = -1; i < rounds; i++) {
      for (const side of shuffled(['bare', 'dashboard'] as const)) {
        const p = await loadOnce(browser, side === 'bare' ? bareUrl : `${url}/`, side === 'dashboard');
        if (i < 0) continue; // a warm-up round: the proxy reads the ledger and asks git once
        paint[side].push(p.fcp);
        if (side === 'dashboard' && p.tier !== null) paint.activeTier.push(p.tier);
      }
    }

    log('dashboard: switch → page…');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.locator('#active-tier[data-tier="claude"]').waitFor();
    const events = await watchEvents(`${url}/_dashboard/api/events`);
    const client = createClient();
    const req = smallRequest();
    const switches = { events: [] as number[], page: [] as number[] };
    const switchRounds = opts.quick ? 3 : 10;
    for (let i = 0; i < switchRounds; i++) {
      for (const [to, fail] of [
        ['deepseek', true],
        ['claude', false],
      ] as const) {
        // `claude-fallback retry claude` lifts claude's cooldown (a flap hold-off included); the next request recovers.
        if (!fail)
          await fetch(`${url}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"tier":"claude"}' }).then(
            (r) => r.text(),
          );
        up.fail(fail);
        const t = await timed(client, url, req);
        if (t.status !== 200) throw new Error(`dashboard bench: the request for the switch to ${to} got ${t.status}`);
        // The switch is recorded before the new tier's first byte reaches the client: time from there.
        const switchedAt = Date.now() - (t.total - t.ttfb);
        const shown = await until(
          async () =>
            ((await page.evaluate('window.__tiers')) as { tier: string; wall: number }[]).findLast(
              (x) => x.tier === to && x.wall >= switchedAt - 1000,
            ),
          10_000,
          `the page showing ${to}`,
        );
        const heard = await until(
          async () => events.changes.findLast((x) => x.tier === to && x.wall >= switchedAt - 1000),
          10_000,
          `the event stream naming ${to}`,
        );
        switches.page.push(Math.max(0, shown.wall - switchedAt));
        switches.events.push(Math.max(0, heard.wall - switchedAt));
      }
    }
    events.stop();
    await context.close();
    await client.close();

    log('dashboard: history API on 20,000 commits…');
    const hist = { gitLog: [] as number[], api: [] as number[] };
    const args = historyArgs(['-n', '201', 'HEAD']);
    const sides = {
      gitLog: () => git(repo, args),
      api: async () => {
        const r = await fetch(`${url}/_dashboard/api/history`);
        if (r.status !== 200) throw new Error(`dashboard bench: history API answered ${r.status}`);
        await r.arrayBuffer();
      },
    };
    for (let i = -1; i < (opts.quick ? 5 : 20); i++) {
      for (const side of shuffled(Object.keys(sides) as (keyof typeof sides)[])) {
        const t = performance.now();
        await sides[side]();
        if (i >= 0) hist[side].push(performance.now() - t);
      }
    }

    return {
      commits,
      firstPaint: { bare: summarize(paint.bare), dashboard: summarize(paint.dashboard), activeTier: summarize(paint.activeTier) },
      switchShown: { events: summarize(switches.events), page: summarize(switches.page) },
      history: { gitLog: summarize(hist.gitLog), api: summarize(hist.api) },
    };
  } finally {
    await browser?.close();
    await proxy?.stop();
    await Promise.all([close(up.primary), close(up.secondary), close(bare)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

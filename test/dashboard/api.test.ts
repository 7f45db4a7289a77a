// The dashboard's HTTP side on the real proxy: the page and its files, the proxy's access rule on every
// dashboard route, the guards on accept and rollback, the event stream, and the data the page shows
// compared with what the review CLI says about the same repository.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fixture, startFakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { startHarness, type HarnessOptions } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { git } from '../../proxy/git/git.ts';
import { readLedger } from '../../proxy/git/ledger.ts';
import { generateRepo } from '../../proxy/review/generate-repo.ts';
import { loadRepoState } from '../../proxy/review/repo-state.ts';
import { unpricedNote } from '../../proxy/money.ts';
import { PRICES_READ_ON } from '../../proxy/prices.ts';
import { buildFixture, commit, LEDGER, removeRepo, review, snapshot, writeLedger } from '../review/fixture.ts';
import { startProxyFor } from './helpers.ts';
import { openSse } from './sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const req = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

async function proxy(primary: Handler = () => ({ kind: 'sse', text: TEXT }), extra: Partial<HarnessOptions> = {}) {
  const a = await startFakeUpstream(primary);
  const b = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: a.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-deepseek', model: 'deepseek-v4-flash' },
    ],
    ...extra,
  });
  cleanup.push(
    () => a.close(),
    () => b.close(),
    () => h.close(),
  );
  return { a, b, h, client: new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }) };
}

/** A JSON answer of the dashboard API (shapes checked by the assertions). */
const getJson = async (url: string): Promise<any> => (await fetch(url)).json();

const rateLimited = (headers: Record<string, string> = {}) => ({
  kind: 'json' as const,
  status: 429,
  body: JSON.parse(fixture('anthropic-429.json')),
  headers: { 'retry-after': '3600', ...headers },
});

describe('the page and its files', () => {
  it('serves the page at / with a session token, a strict CSP and no-store, its files under /_dashboard, nothing sent upstream', async () => {
    const { a, h } = await proxy();
    const page = await rawRequest(`${h.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const token = /<meta name="dashboard-session" content="([^"]+)">/.exec(page.body)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The state it was served with, as JSON that cannot end its script element.
    const boot = /<script id="boot" type="application\/json">(.*?)<\/script>/s.exec(page.body)![1];
    expect(boot).not.toContain('<');
    expect(JSON.parse(boot).now).toMatchObject({ active: { tier: 'claude', reason: 'start' }, repo: h.repo, in_flight: 0 });
    // Every asset the page names is local and served.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => u !== 'data:,' && u !== '#history');
    expect(assets.sort()).toEqual(['/_dashboard/app.css', '/_dashboard/app.js']);
    for (const u of assets) {
      const r = await rawRequest(h.url + u);
      expect(r.status).toBe(200);
      expect(r.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no CDN, font or script from the internet
      const again = await rawRequest(h.url + u, { headers: { 'if-none-match': String(r.headers.etag) } });
      expect(again.status).toBe(304);
    }
    expect((await rawRequest(`${h.url}/_dashboard/nope.js`)).status).toBe(404);
    expect(a.requests).toHaveLength(0);
    // A second page load gets the same token: one per proxy run.
    expect((await rawRequest(`${h.url}/`)).body).toContain(token);
  });

  it("keeps the page's own code and assets within 150 KB", () => {
    const dir = join(import.meta.dirname, '..', '..', 'proxy', 'dashboard', 'static');
    const total = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(total).toBeLessThan(150 * 1024);
  });
});

describe('access', () => {
  it("applies the proxy's rule to the page and the API: a foreign Origin and a foreign Host are refused", async () => {
    const { h } = await proxy();
    for (const path of ['/', '/_dashboard/app.js', '/_dashboard/api/now', '/_dashboard/api/history']) {
      expect((await rawRequest(h.url + path)).status).toBe(200);
      const foreign = await rawRequest(h.url + path, { headers: { origin: 'https://evil.example' } });
      expect(foreign.status).toBe(403);
      expect(foreign.body).toContain('requests from web pages are refused');
      const rebound = await rawRequest(h.url + path, { headers: { host: `evil.example:${h.port}` } });
      expect(rebound.status).toBe(403);
      expect(rebound.body).toContain('DNS rebinding');
    }
  });

  it('with proxy.token: refused without it; a browser gets in once by ?token= (an HttpOnly cookie, the token out of the address), then by the cookie', async () => {
    const { h } = await proxy(undefined, { proxy: { token: 'tok-123' } });
    expect((await rawRequest(`${h.url}/`)).status).toBe(403);
    expect((await rawRequest(`${h.url}/?token=wrong`)).status).toBe(403);
    expect((await rawRequest(`${h.url}/_dashboard/api/now`, { headers: { cookie: `fallback_token_${h.port}=wrong` } })).status).toBe(403);
    expect((await rawRequest(`${h.url}/`, { headers: { 'x-fallback-token': 'tok-123' } })).status).toBe(200);
    const login = await rawRequest(`${h.url}/?token=tok-123`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    // The cookie holds a value bound to this port, never the token (the browser sends it to every port: issue 19, item 10).
    expect(cookie).toMatch(new RegExp(`^fallback_token_${h.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain('tok-123');
    const jar = cookie.split(';')[0];
    expect((await rawRequest(`${h.url}/`, { headers: { cookie: jar } })).status).toBe(200);
    expect((await rawRequest(`${h.url}/_dashboard/api/now`, { headers: { cookie: jar } })).status).toBe(200);
    // The cookie opens the dashboard only, not the proxy's other routes.
    expect((await rawRequest(`${h.url}/status`, { headers: { cookie: jar } })).status).toBe(403);
  });
});

describe('accept and rollback guards', () => {
  it('refuse a GET, and a POST without Origin, from another origin, without or with a wrong session token, or not JSON: nothing changes', async () => {
    const fx = await buildFixture();
    cleanup.push(() => removeRepo(fx.dir));
    const p = await startProxyFor(fx.dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    const session = /name="dashboard-session" content="([^"]+)">/.exec((await rawRequest(`${p.url}/`)).body)![1];
    await p.proxy.ledger.flushed();
    const before = await snapshot(fx.dir);
    const origin = p.url;
    const json = { 'content-type': 'application/json' };
    const body = JSON.stringify({ model: 'deepseek', test: false, commits: [fx.shas.d2, fx.shas.d1] });
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no Origin', { ...json, 'x-dashboard-session': session }, /no Origin header/],
      [
        'a foreign Origin',
        { ...json, origin: 'https://evil.example', 'x-dashboard-session': session },
        /requests from web pages are refused/,
      ],
      ['another loopback origin', { ...json, origin: 'http://127.0.0.1:1', 'x-dashboard-session': session }, /is not this dashboard/],
      ['no session token', { ...json, origin }, /session token/],
      ['a wrong session token', { ...json, origin, 'x-dashboard-session': session.slice(1) + 'x' }, /session token/],
      ['a form post', { 'content-type': 'application/x-www-form-urlencoded', origin, 'x-dashboard-session': session }, /JSON body/],
    ];
    for (const action of ['accept', 'rollback']) {
      const get = await rawRequest(`${p.url}/_dashboard/api/${action}?model=deepseek`);
      expect(get.status).toBe(405);
      for (const [what, headers, message] of cases) {
        const r = await rawRequest(`${p.url}/_dashboard/api/${action}`, { method: 'POST', headers, body });
        expect(r.status, `${action} with ${what}`).toBe(403);
        expect(r.body, `${action} with ${what}`).toMatch(message);
      }
    }
    expect(await snapshot(fx.dir)).toEqual(before);
    // The same request with Origin and token does change it: the refusals above were the guards.
    const ok = await rawRequest(`${p.url}/_dashboard/api/accept`, {
      method: 'POST',
      headers: { ...json, origin, 'x-dashboard-session': session },
      body,
    });
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, result: { model: 'deepseek', accepted: true } });
  });
});

describe('live events', () => {
  it('sends the state at once, the new tier and its cooldown after a 429, each ledger line (also the review CLI’s) and a git event when a commit lands', async () => {
    const { h, client } = await proxy((_, i) => (i === 0 ? rateLimited() : { kind: 'sse', text: TEXT }));
    const es = await openSse(`${h.url}/_dashboard/api/events`);
    cleanup.push(() => es.close());
    const first = await es.next('now');
    expect(first.now.active).toMatchObject({ tier: 'claude', reason: 'start' });
    expect(first.now.tiers.map((t: { name: string; state: string }) => [t.name, t.state])).toEqual([
      ['claude', 'active'],
      ['deepseek', 'ready'],
    ]);

    await client.messages.stream(req).finalMessage();
    const switched = await es.next('now', (d) => d.now.active.tier === 'deepseek' && d.now.active.reason === 'rate_limit');
    expect(switched.now.active).toMatchObject({ from: 'claude', status: 429 });
    const claude = switched.now.tiers.find((t: { name: string }) => t.name === 'claude');
    expect(claude.state).toBe('cooling');
    expect(Date.parse(claude.cooldown_until)).toBeGreaterThan(Date.now() + 3500_000);
    expect(await es.next('ledger', (e) => e.kind === 'switch')).toMatchObject({ from: 'claude', to: 'deepseek', reason: 'rate_limit' });
    expect(await es.next('ledger', (e) => e.kind === 'usage')).toMatchObject({ tier: 'deepseek' });

    // Another process appends (as the review CLI does): the page hears of it too.
    appendFileSync(
      h.ledgerPath,
      JSON.stringify({ ts: new Date().toISOString(), kind: 'external', model: 'monitor', event_type: 'note' }) + '\n',
    );
    expect(await es.next('ledger', (e) => e.kind === 'external')).toMatchObject({ model: 'monitor' });

    writeFileSync(join(h.repo, 'a.txt'), 'a\n');
    await git(h.repo, ['add', 'a.txt']);
    await git(h.repo, ['commit', '-qm', 'first']);
    const head = (await git(h.repo, ['rev-parse', 'HEAD'])).stdout.trim();
    expect(await es.next('git')).toEqual({ head });
    await git(h.repo, ['tag', 'model-deepseek-20261201-000000']);
    expect(await es.next('git')).toEqual({ head });
  });

  it('stopping the proxy ends open event streams at once instead of waiting out the grace period', async () => {
    const { h } = await proxy();
    const es = await openSse(`${h.url}/_dashboard/api/events`);
    await es.next('now');
    await h.proxy.close(60_000); // the test's own timeout (30 s) is shorter than that grace
    await es.ended;
    expect(readLedger(h.ledgerPath).at(-1)).toMatchObject({ kind: 'stop' });
  });
});

describe('now', () => {
  it("shows Claude's subscription limits from the anthropic-ratelimit-unified-* headers, and requests in flight", async () => {
    const reset5h = Math.floor(Date.now() / 1000) + 3 * 3600;
    const reset7d = Math.floor(Date.now() / 1000) + 4 * 86400;
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const { h, client } = await proxy(async (_, i) => {
      if (i === 1) await held;
      return {
        kind: 'sse',
        text: TEXT,
        headers: {
          'anthropic-ratelimit-unified-status': 'allowed_warning',
          'anthropic-ratelimit-unified-reset': String(reset5h),
          'anthropic-ratelimit-unified-representative-claim': 'five_hour',
          'anthropic-ratelimit-unified-5h-utilization': '0.86',
          'anthropic-ratelimit-unified-5h-reset': String(reset5h),
          'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
          'anthropic-ratelimit-unified-7d-utilization': '0.31',
          'anthropic-ratelimit-unified-7d-reset': String(reset7d),
          'anthropic-ratelimit-unified-7d-status': 'allowed',
        },
      };
    });
    const none = await getJson(`${h.url}/_dashboard/api/now`);
    expect(none.now.limits).toEqual([]);
    await client.messages.stream(req).finalMessage();
    const { now } = await getJson(`${h.url}/_dashboard/api/now`);
    expect(now.limits).toHaveLength(1);
    expect(now.limits[0]).toMatchObject({
      tier: 'claude',
      status: 'allowed_warning',
      representative_claim: 'five_hour',
      five_hour: { utilization: 0.86, resets_at: new Date(reset5h * 1000).toISOString(), status: 'allowed_warning' },
      seven_day: { utilization: 0.31, resets_at: new Date(reset7d * 1000).toISOString(), status: 'allowed' },
    });

    const pending = client.messages.stream(req).finalMessage();
    for (let i = 0; i < 200; i++) {
      const n = (await getJson(`${h.url}/_dashboard/api/now`)).now.in_flight;
      if (n === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await getJson(`${h.url}/_dashboard/api/now`)).now.in_flight).toBe(1);
    release();
    await pending;
    expect((await getJson(`${h.url}/_dashboard/api/now`)).now.in_flight).toBe(0);
  });
});

describe('what the page reads, against the review CLI', () => {
  it('history: the last 200 of a larger repository, with the status review gives each (accepted, rolled back, an accepted tag on a side branch)', async () => {
    const dir = (await buildFixture()).dir; // only for a temp dir name; regenerate below
    removeRepo(dir);
    await generateRepo(dir, { commits: 450, models: ['claude', 'gemini-flash', 'deepseek'], ledger: false });
    cleanup.push(() => removeRepo(dir));
    expect((await review(['--accept', 'deepseek', '--repo', dir])).exitCode).toBe(0);
    // A side branch off the shown part, whose accepted tag reaches gemini commits on main.
    await git(dir, ['checkout', '-q', '-b', 'side', 'HEAD~30']);
    await commit(dir, 'gemini on a side branch', { 'side.txt': 's\n' }, { model: 'gemini-flash', date: '2026-01-05T00:00:00Z' });
    await git(dir, ['tag', 'accepted-gemini-flash-20260105-000000']);
    await git(dir, ['checkout', '-q', 'main']);
    await commit(dir, 'deepseek adds x', { 'x.txt': 'x\n' }, { model: 'deepseek', date: '2026-01-05T01:00:00Z' });
    await commit(dir, 'deepseek adds y', { 'y.txt': 'y\n' }, { model: 'deepseek', date: '2026-01-05T02:00:00Z' });
    expect((await review(['--rollback', 'deepseek', '--repo', dir])).exitCode).toBe(0);
    await commit(dir, 'claude adds z', { 'z.txt': 'z\n' }, { model: 'claude', date: '2026-01-05T03:00:00Z' });

    const p = await startProxyFor(dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    const hist = await getJson(`${p.url}/_dashboard/api/history`);
    expect(hist.commits).toHaveLength(200);
    expect(hist.more).toBe(true);
    const full = await loadRepoState(dir, { env: {} });
    const fromHead = full.commits.filter((c) => full.graph.fromHead.has(c.sha)).slice(0, 200);
    expect(hist.commits.map((c: { sha: string }) => c.sha)).toEqual(fromHead.map((c) => c.sha));
    const shown = hist.commits.map((c: { sha: string; status: string | null }) => [c.sha, c.status]);
    expect(shown).toEqual(fromHead.map((c) => [c.sha, full.statuses.get(c.sha) ?? null]));
    const counts = (s: string) => shown.filter(([, st]: [string, string]) => st === s).length;
    expect(counts('accepted')).toBeGreaterThan(0); // deepseek's, and gemini's through the side branch
    expect(counts('rolled_back')).toBe(2);
    expect(counts('pending')).toBeGreaterThan(0);
    const top = hist.commits[0];
    expect(top).toMatchObject({ subject: 'claude adds z', model: 'claude', status: 'pending', files: 1, added: 1, removed: 0 });
    expect(hist.commits[1]).toMatchObject({ rollback_of: 'deepseek', model: null });
    expect(hist.commits.some((c: { tags: { name: string }[] }) => c.tags.some((t) => t.name.startsWith('accepted-deepseek-')))).toBe(true);

    // The per-model counts are the CLI's own.
    const models = await getJson(`${p.url}/_dashboard/api/models`);
    const cli = JSON.parse((await review(['-a', '--json', '--repo', dir, '--config', p.configFile])).stdout);
    expect(models.analyze.rows.map((r: { usage: unknown }) => ({ ...r, usage: null }))).toEqual(
      cli.rows.map((r: { usage: unknown }) => ({ ...r, usage: null })),
    );
  });

  it('a commit: its message and diff; a bad or unknown id is refused naming the problem', async () => {
    const fx = await buildFixture();
    cleanup.push(() => removeRepo(fx.dir));
    const p = await startProxyFor(fx.dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    const r = await getJson(`${p.url}/_dashboard/api/commit?sha=${fx.shas.d2}`);
    expect(r.text).toContain('deepseek edits shared');
    expect(r.text).toContain('Model: deepseek');
    expect(r.text).toContain('+line2 deepseek');
    const bad = await fetch(`${p.url}/_dashboard/api/commit?sha=HEAD`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toContain('40-character');
    const unknown = await fetch(`${p.url}/_dashboard/api/commit?sha=${'0'.repeat(40)}`);
    expect(unknown.status).toBe(404);
  });

  it('usage and the switch timeline for a range are what review --costs and --log say', async () => {
    const fx = await buildFixture();
    cleanup.push(() => removeRepo(fx.dir));
    await writeLedger(fx.dir, LEDGER);
    const p = await startProxyFor(fx.dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    await p.proxy.ledger.flushed();
    const since = Date.parse('2026-11-22T00:00:00Z');
    const u = await getJson(`${p.url}/_dashboard/api/usage?since=${since}`);
    const cli = (view: string) =>
      review([view, '--json', '--repo', fx.dir, '--config', p.configFile, '--since', '2026-11-22T00:00:00Z']).then((r) =>
        JSON.parse(r.stdout),
      );
    expect(u.costs).toEqual(await cli('--costs'));
    expect(u.timeline.entries).toEqual((await cli('--log')).entries);
    expect(u.costs.by_model.map((m: { model: string }) => m.model)).toEqual(['deepseek', 'claude']);
    // DeepSeek has no price: the page gets money.ts's one note for it (as review and status word it), never $0.
    expect(u.costs.by_model[0].cost_usd).toBeNull();
    expect(u.unpriced_note).toBe(unpricedNote(['deepseek/deepseek-v4-flash'], PRICES_READ_ON));
    const bad = await fetch(`${p.url}/_dashboard/api/usage?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toContain('since');
  });
});

describe('the review CLI the actions run', () => {
  it('is the project’s own scripts/review.ts, run with --json (same result as a terminal run)', async () => {
    const fx = await buildFixture();
    cleanup.push(() => removeRepo(fx.dir));
    const p = await startProxyFor(fx.dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    const plan = await getJson(`${p.url}/_dashboard/api/rollback-plan?model=deepseek`);
    const cli = await execa(
      process.execPath,
      ['--import', 'tsx', 'scripts/review.ts', '--rollback', 'deepseek', '--dry-run', '--json', '--repo', fx.dir, '--config', p.configFile],
      {
        cwd: join(import.meta.dirname, '..', '..'),
      },
    );
    expect(plan).toEqual({ ok: true, result: JSON.parse(cli.stdout) });
    const unknown = await fetch(`${p.url}/_dashboard/api/rollback-plan?model=nobody`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as any).error.message).toMatch(/^unknown model "nobody"; known models: /);
  });
});

/** This process's children that run the review entry, read from /proc (the proxy runs in this process here). */
function reviewChildren(): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /review-entry|scripts\/review\.ts/.test(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('review children are bounded', () => {
  it('30 concurrent GETs of one rollback plan run one review child at a time (identical waiting reads share a run), all answered', async () => {
    const fx = await buildFixture();
    cleanup.push(() => removeRepo(fx.dir));
    const p = await startProxyFor(fx.dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    const seen = new Set<number>();
    let most = 0;
    const watch = setInterval(() => {
      const now = reviewChildren();
      now.forEach((pid) => seen.add(pid));
      most = Math.max(most, now.length);
    }, 5);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${p.url}/_dashboard/api/rollback-plan?model=deepseek`).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as any,
        })),
      ),
    );
    clearInterval(watch);
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(most).toBe(1);
    expect(seen.size).toBeLessThanOrEqual(2);
  });

  it('distinct reads beyond the queue are refused with 429 in Anthropic’s error shape, never more than one child at once', async () => {
    const fx = await buildFixture();
    cleanup.push(() => removeRepo(fx.dir));
    const p = await startProxyFor(fx.dir, { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    cleanup.push(() => p.close());
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, reviewChildren().length)), 5);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fetch(`${p.url}/_dashboard/api/rollback-plan?model=m${i}`).then(async (r) => ({
          status: r.status,
          retry: r.headers.get('retry-after'),
          body: (await r.json()) as any,
        })),
      ),
    );
    clearInterval(watch);
    expect(most).toBe(1);
    const refused = answers.filter((a) => a.status === 429);
    // One runs, four wait, the other seven are refused at once.
    expect(refused.length).toBe(7);
    for (const r of refused) {
      expect(r.retry).toBe('1');
      expect(r.body).toMatchObject({
        type: 'error',
        error: { type: 'rate_limit_error', message: expect.stringContaining('review is busy') },
      });
    }
    expect(answers.filter((a) => a.status === 400).length).toBe(5); // the five that ran: unknown models, the CLI's message
  });
});

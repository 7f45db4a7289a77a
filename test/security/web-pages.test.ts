// Issue 19, item 2: no web page may use the proxy's API, a page on another port of 127.0.0.1 included
// (the attack was a `text/plain` POST from http://localhost:3000 that switched tiers and auto-committed,
// and a /v1/messages call answered with a tier's own key). Claude Code sends no Origin; any Origin, or
// `Sec-Fetch-Site: cross-site`/`same-site`, is refused on API routes with 403 in Anthropic's shape; a
// POST body must be application/json (415). Only the dashboard's own page may call the dashboard.
// Item 10: the dashboard cookie, which the browser sends to every port of the host, is not the token.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { ASK } from '../helpers/loose-tiers.ts';
import { launchChromium } from '../dashboard/helpers.ts';
import { git } from '../../proxy/git/git.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const BACKUP_KEY = 'sk-backup-SECRET-0123456789';
const SWITCH = JSON.stringify({ model: 'backup', event_type: 'switch' });

async function proxy(p: HarnessOptions['proxy'] = {}): Promise<Harness & { claude: FakeUpstream; backup: FakeUpstream }> {
  const claude = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: BACKUP_KEY },
    ],
    proxy: p,
  });
  cleanup.push(
    () => claude.close(),
    () => backup.close(),
    () => h.close(),
  );
  return Object.assign(h, { claude, backup });
}

const errorOf = (body: string) => JSON.parse(body) as { type: string; error: { type: string; message: string } };

describe('API routes refuse web pages (item 2)', () => {
  it('refuses an Origin from another loopback port on /webhook, /v1/messages, /v1/models, /retry and /status: nothing switches, nothing goes upstream', async () => {
    const h = await proxy();
    const origin = 'http://localhost:3000';
    const answers = [
      await rawRequest(`${h.url}/webhook`, { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: SWITCH }),
      await rawRequest(`${h.url}/webhook`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: SWITCH }),
      await rawRequest(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify(ASK),
      }),
      await rawRequest(`${h.url}/v1/models`, { headers: { origin } }),
      await rawRequest(`${h.url}/retry`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' }),
      await rawRequest(`${h.url}/status`, { headers: { origin } }),
    ];
    for (const a of answers) {
      expect(a.status, a.body).toBe(403);
      expect(errorOf(a.body)).toMatchObject({
        type: 'error',
        error: { type: 'permission_error', message: expect.stringContaining('requests from web pages are refused') },
      });
    }
    expect(h.claude.requests).toHaveLength(0);
    expect(h.backup.requests).toHaveLength(0);
    expect((await h.settledEvents()).filter((e) => e.kind === 'switch' || e.kind === 'external')).toEqual([]);
  });

  it('refuses Sec-Fetch-Site cross-site and same-site without an Origin (a no-cors GET, an <img>), and lets none and same-origin pass', async () => {
    const h = await proxy();
    for (const site of ['cross-site', 'same-site']) {
      const r = await rawRequest(`${h.url}/v1/models`, { headers: { 'sec-fetch-site': site } });
      expect(r.status).toBe(403);
      expect(errorOf(r.body).error.message).toContain(`Sec-Fetch-Site: ${site}`);
    }
    expect((await rawRequest(`${h.url}/status`, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    expect((await rawRequest(`${h.url}/health`, { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect(h.claude.requests).toHaveLength(0);
  });

  it('answers 415 to a POST whose body is not application/json (text/plain, a form), before reading it', async () => {
    const h = await proxy();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await rawRequest(`${h.url}/webhook`, { method: 'POST', headers: { 'content-type': type }, body: SWITCH });
      expect(r.status, type).toBe(415);
      expect(errorOf(r.body)).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: expect.stringContaining('application/json') },
      });
    }
    const noType = await rawRequest(`${h.url}/v1/messages`, { method: 'POST', body: JSON.stringify(ASK) });
    expect(noType.status).toBe(415);
    expect((await h.settledEvents()).filter((e) => e.kind === 'switch' || e.kind === 'external')).toEqual([]);
    // What the CLI sends: JSON, or nothing at all for `claude-fallback retry`.
    expect((await rawRequest(`${h.url}/retry`, { method: 'POST' })).status).toBe(200);
    expect(
      (
        await rawRequest(`${h.url}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: SWITCH,
        })
      ).status,
    ).toBe(200);
  });

  it('serves Claude Code as before: the official SDK sends no Origin', async () => {
    const h = await proxy();
    const m = await new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages.stream(ASK).finalMessage();
    expect(m.stop_reason).toBe('end_turn');
    expect(h.claude.requests).toHaveLength(1);
  });
});

describe('a real browser page on another loopback port (item 2)', () => {
  let browser: Browser;
  let page: Server | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  afterEach(() => new Promise<void>((r) => (page ? page.close(() => r()) : r())));

  it(
    'can neither switch tiers by /webhook nor get an answer from /v1/messages, and nothing is auto-committed',
    { timeout: 30_000 },
    async () => {
      const h = await proxy();
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(h.repo, `untracked-${i}.txt`), `file ${i}\n`);
        // As if claude had written them (its Write tool's edit lines): an auto-commit would take them.
        const edit = {
          ts: new Date().toISOString(),
          kind: 'edit',
          tier: 'claude',
          path: `untracked-${i}.txt`,
          tool: 'Write',
          id: `toolu_web_${i}`,
          head: null,
        };
        appendFileSync(h.ledgerPath, JSON.stringify(edit) + '\n');
      }
      const headBefore = (await git(h.repo, ['rev-parse', 'HEAD'], { reject: false })).stdout.trim();
      const seen: { url: string; origin?: string; site?: string; status: number }[] = [];
      h.proxy.server.on('request', (q: IncomingMessage, s) =>
        s.on('finish', () =>
          seen.push({
            url: q.url ?? '',
            origin: q.headers.origin,
            site: q.headers['sec-fetch-site'] as string | undefined,
            status: s.statusCode,
          }),
        ),
      );
      const target = `http://localhost:${h.port}`;
      const html = `<!doctype html><img src="${target}/v1/models">
<script>
(async () => {
  await fetch(${JSON.stringify(`${target}/webhook`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(SWITCH)} }).catch(() => {});
  await fetch(${JSON.stringify(`${target}/v1/messages`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(JSON.stringify(ASK))} }).catch(() => {});
  document.title = 'done';
})();
</script>`;
      page = createServer((_q, s) => void s.writeHead(200, { 'content-type': 'text/html' }).end(html));
      await new Promise<void>((r) => page!.listen(0, '127.0.0.1', () => r()));
      const tab = await browser.newPage();
      await tab.goto(`http://localhost:${(page.address() as AddressInfo).port}/`);
      await tab.waitForFunction("document.title === 'done'");
      await new Promise((r) => setTimeout(r, 300));
      await tab.close();

      expect(seen.map((s) => s.url).sort()).toEqual(['/v1/messages', '/v1/models', '/webhook']);
      for (const s of seen) expect(s.status, JSON.stringify(s)).toBe(403);
      expect(h.claude.requests).toHaveLength(0);
      expect(h.backup.requests).toHaveLength(0);
      expect((await h.settledEvents()).filter((e) => e.kind === 'switch')).toEqual([]);
      expect((await git(h.repo, ['rev-parse', 'HEAD'], { reject: false })).stdout.trim()).toBe(headBefore);
    },
  );
});

describe('the dashboard answers only its own page (item 2)', () => {
  it('refuses another loopback origin and Sec-Fetch-Site same-site/cross-site; its own origin and a plain request pass', async () => {
    const h = await proxy();
    const url = `${h.url}/_dashboard/api/now`;
    const other = await rawRequest(url, { headers: { origin: 'http://127.0.0.1:3000' } });
    expect(other.status).toBe(403);
    expect(errorOf(other.body).error.message).toContain('is not this dashboard');
    for (const site of ['same-site', 'cross-site'])
      expect((await rawRequest(url, { headers: { 'sec-fetch-site': site } })).status).toBe(403);
    expect((await rawRequest(url, { headers: { origin: h.url, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await rawRequest(url)).status).toBe(200);
  });
});

describe('the dashboard cookie (item 10)', () => {
  it('holds a value bound to its port, never the token: it opens no API route and no other port’s dashboard', async () => {
    const token = 'the-proxy-token-42';
    const a = await proxy({ token });
    const b = await proxy({ token });
    const login = await rawRequest(`${a.url}/?token=${token}`);
    expect(login.status).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    const value = cookie.split(';')[0].split('=')[1];
    expect(cookie).toMatch(new RegExp(`^fallback_token_${a.port}=`));
    expect(cookie).not.toContain(token);
    // Good for this port's dashboard.
    expect((await rawRequest(`${a.url}/_dashboard/api/now`, { headers: { cookie: `fallback_token_${a.port}=${value}` } })).status).toBe(
      200,
    );
    // Worthless as the token, on the API routes, and on another proxy with the same token.
    for (const r of [
      await rawRequest(`${a.url}/status`, { headers: { 'x-fallback-token': value } }),
      await rawRequest(`${a.url}/status`, { headers: { cookie: `fallback_token_${a.port}=${value}` } }),
      await rawRequest(`${b.url}/_dashboard/api/now`, { headers: { cookie: `fallback_token_${b.port}=${value}` } }),
    ])
      expect(r.status).toBe(403);
  });

  it('is not forwarded upstream: pass-through drops the client’s cookie header', async () => {
    const h = await proxy();
    const r = await rawRequest(`${h.url}/v1/models`, {
      headers: { cookie: 'fallback_token_1=x; session=abc', 'x-api-key': 'sk-ant-client' },
    });
    expect(r.status).toBe(200);
    expect(h.claude.requests).toHaveLength(1);
    expect(h.claude.requests[0].headers.cookie).toBeUndefined();
  });
});

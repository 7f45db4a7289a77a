// The dashboard page in a real headless Chromium (Debian's package, driven by playwright-core): what it
// shows, how it follows a switch live, and accept / rollback from the page against the review CLI run on
// an identical repository. Screenshots go to test-artifacts/.

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { writeTurns } from '../helpers/tool-writes.ts';
import { startHarness } from '../helpers/harness.ts';
import { git } from '../../proxy/git/git.ts';
import { appendLedger, ledgerPath, readLedger, type LedgerEvent } from '../../proxy/git/ledger.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { buildFixture, ledgerFile, LEDGER, removeRepo, review, snapshot, writeLedger, type Fixture } from '../review/fixture.ts';
import { collectPageErrors, launchChromium, refs, screenshot, startProxyFor, type DashProxy } from './helpers.ts';
import { describeWith, missingPrograms } from '../../test-support/describe-with.ts';

/** Each group drives Debian's Chromium; without it they are skipped and the run's last line says so. */
const describe = describeWith(['chromium']);

let browser: Browser;
beforeAll(async () => {
  if (missingPrograms(['chromium']).length) return;
  // evil.test is another origin served from this machine, for the cross-origin test.
  browser = await launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1']);
});
afterAll(async () => {
  await browser?.close();
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const req = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Read the README' }] };

async function open(url: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  cleanup.push(() => context.close());
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(url);
  return { page, errors };
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** Two identical repositories (same shas: fixed dates and authors) and the proxy on the first one. */
async function twins(opts: { test?: string } = {}): Promise<{ a: Fixture; b: Fixture; p: DashProxy }> {
  const a = await buildFixture();
  const b = await buildFixture();
  cleanup.push(
    () => removeRepo(a.dir),
    () => removeRepo(b.dir),
  );
  expect(a.shas).toEqual(b.shas);
  const p = await startProxyFor(a.dir, {
    tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }],
    review: opts.test ? { test: opts.test } : undefined,
  });
  cleanup.push(() => p.close());
  return { a, b, p };
}

/** The review lines of a ledger without their times (and the revert's own sha, which differs by its commit time). */
async function reviewLines(dir: string): Promise<Partial<LedgerEvent>[]> {
  return readLedger(await ledgerFile(dir))
    .filter((e) => e.kind === 'accept' || e.kind === 'rollback' || e.kind === 'test')
    .map(({ ts: _ts, ...rest }) => {
      const { revert_commit: _r, ...kept } = rest as Record<string, unknown>;
      return kept as Partial<LedgerEvent>;
    });
}

describe('the page follows the proxy', () => {
  it('shows the active tier; a 429 shows the new tier and a live cooldown countdown without a reload; screenshots at 1280×800 and 390×844', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const a = await startFakeUpstream((_, i) =>
      i === 1
        ? {
            kind: 'json',
            status: 429,
            body: JSON.parse(fixture('anthropic-429.json')),
            headers: {
              'retry-after': '3600',
              'anthropic-ratelimit-unified-status': 'rejected',
              'anthropic-ratelimit-unified-reset': String(reset),
              'anthropic-ratelimit-unified-representative-claim': 'five_hour',
              'anthropic-ratelimit-unified-5h-utilization': '1.0',
              'anthropic-ratelimit-unified-5h-reset': String(reset),
              'anthropic-ratelimit-unified-7d-utilization': '0.42',
              'anthropic-ratelimit-unified-7d-reset': String(reset + 4 * 86400),
            },
          }
        : { kind: 'sse', text: TEXT },
    );
    const b = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-tool-use.sse') }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: a.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-deepseek', model: 'deepseek-v4-flash' },
      ],
      git: { auto_commit: true },
    });
    cleanup.push(
      () => a.close(),
      () => b.close(),
      () => h.close(),
    );
    // Something to show in the history and the usage chart.
    for (const [file, subject, model] of [
      ['README.md', 'start the project', null],
      ['app.ts', 'claude writes the app', 'claude'],
    ] as const) {
      writeFileSync(join(h.repo, file), `${subject}\n`);
      await git(h.repo, ['add', file]);
      await git(h.repo, ['commit', '-qm', subject, ...(model ? ['-m', `Model: ${model}`] : [])]);
    }
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    await client.messages.stream(req).finalMessage();

    const { page, errors } = await open(`${h.url}/`);
    await page.locator('#active-tier', { hasText: 'claude' }).waitFor();
    await page.locator('#conn', { hasText: 'live' }).waitFor();
    expect(await text(page, '#active-why')).toMatch(/^since .*/);
    expect(await page.locator('tr[data-tier="deepseek"]').innerText()).toContain('ready');
    await page.evaluate('window.loadedOnce = 1');

    writeFileSync(join(h.repo, 'wip.ts'), 'claude was here\n'); // claude's Write: committed by the switch
    await client.messages.stream({ ...req, messages: [...req.messages, ...writeTurns(h.repo, ['wip.ts'])] }).finalMessage(); // claude answers 429: the proxy moves to deepseek
    await page.locator('#active-tier', { hasText: 'deepseek' }).waitFor({ timeout: 5000 });
    // First "switch being recorded" (the auto-commit runs), then the reason from the ledger's switch line.
    await page.locator('#active-why', { hasText: 'rate limit (429) from claude' }).waitFor({ timeout: 5000 });
    const claude = page.locator('tr[data-tier="claude"]');
    expect(await claude.innerText()).toContain('cooling down');
    const countdown = page.locator('tr[data-tier="claude"] .countdown');
    const first = await countdown.innerText();
    expect(first).toMatch(/^back in (1h 00m|59m) \d\ds$/);
    await page.locator('tr[data-tier="claude"] .countdown', { hasNotText: first }).waitFor(); // it runs
    // The subscription limits that came with the 429.
    expect(await text(page, '#limits')).toMatch(/5 hours\s+100% used/);
    expect(await text(page, '#limits')).toMatch(/7 days\s+42% used/);
    // Same page, no reload.
    expect(await page.evaluate('window.loadedOnce')).toBe(1);
    await page.locator('#commits li', { hasText: 'Auto-commit before switch to deepseek' }).waitFor();
    expect(await page.locator('#commits li', { hasText: 'Auto-commit before switch to deepseek' }).innerText()).toMatch(
      /auto-commit claude -> deepseek[\s\S]*model-claude-/,
    );
    writeFileSync(join(h.repo, 'fix.ts'), 'deepseek fixes\n');
    await git(h.repo, ['add', 'fix.ts']);
    await git(h.repo, ['commit', '-qm', 'deepseek fixes the build', '-m', 'Model: deepseek']);
    await page.locator('#commits li', { hasText: 'deepseek fixes the build' }).waitFor(); // a commit lands: no reload
    await page.locator('#usage-chart .row[data-model="deepseek"]').waitFor();
    await screenshot(page, 'dashboard-1280x800.png');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'dashboard-dark-1280x800.png');

    const phone = await open(`${h.url}/`, { width: 390, height: 844 });
    await phone.page.locator('#active-tier', { hasText: 'deepseek' }).waitFor();
    await phone.page.locator('tr[data-tier="claude"] .countdown', { hasText: /^back in/ }).waitFor();
    // Readable on the phone: nothing wider than the screen.
    expect(await phone.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone.page, 'dashboard-390x844.png');
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});

describe('what the page shows is current and readable (issue 18 item 6)', () => {
  it('a passed reset is shown as passed, starts and stops are grouped apart from switches, times are 24-hour, no label is cut, nothing glued at 390 px', async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const resetSoon = Math.ceil(now / 1000) + 3; // Unix seconds, three seconds from now
    const a = await startFakeUpstream(() => ({
      kind: 'sse',
      text: TEXT,
      headers: {
        'anthropic-ratelimit-unified-status': 'allowed_warning',
        'anthropic-ratelimit-unified-reset': String(resetSoon),
        'anthropic-ratelimit-unified-5h-utilization': '0.91',
        'anthropic-ratelimit-unified-5h-reset': String(resetSoon),
      },
    }));
    cleanup.push(() => a.close());
    const repo = await makeRepo();
    cleanup.push(() => removeRepo(repo));
    writeFileSync(join(repo, 'README.md'), 'x\n');
    await git(repo, ['add', 'README.md']);
    await git(repo, ['commit', '-qm', 'a commit without a model']);
    const file = ledgerPath(join(repo, '.git'));
    const start = (m: number) =>
      appendLedger(file, { ts: at(m), kind: 'start', active: 'claude', tiers: ['claude', 'deepseek'], pid: 1, port: 1 });
    const stop = (m: number, active: string) => appendLedger(file, { ts: at(m), kind: 'stop', active });
    (start(50), stop(45, 'claude'), start(40), stop(35, 'claude'), start(30));
    appendLedger(file, { ts: at(20), kind: 'switch', from: 'claude', to: 'deepseek', reason: 'rate_limit', status: 429 });
    appendLedger(file, { ts: at(19.9), kind: 'switch', from: 'deepseek', to: 'claude', reason: 'recovered' }); // a 6-second run
    stop(10, 'claude');
    const p = await startProxyFor(repo, {
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: a.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'sk-deepseek' },
      ],
    });
    cleanup.push(() => p.close());
    await new Anthropic({ apiKey: 'sk-ant-client', baseURL: p.url, maxRetries: 0 }).messages.stream(req).finalMessage();

    const { page, errors } = await open(`${p.url}/`);
    await page.locator('#limits', { hasText: '91% used' }).waitFor();
    expect(await text(page, '#limits')).toMatch(/91% used · resets \d\d:\d\d/);
    // The reset goes by with the page open: shown as passed, without a reload.
    await page.locator('#limits', { hasText: 'reset passed at' }).waitFor({ timeout: 10_000 });
    expect(await text(page, '#limits')).toMatch(/5 hours\s+91% used before the reset · reset passed at \d\d:\d\d/);
    expect(await text(page, '#limits')).not.toMatch(/· resets /);
    await screenshot(page, 'dashboard-reset-passed.png');

    await page.locator('.range button[data-range="7d"]').click();
    await page.locator('#switches tr[data-kind="switch"]').first().waitFor();
    // Two switches; the starts and stops around them are two grouped rows, not seven switches.
    expect(await page.locator('#switches tr[data-kind="switch"]').count()).toBe(2);
    expect(await page.locator('#switches tr[data-kind="runs"]').allInnerTexts()).toEqual([
      expect.stringMatching(/proxy started 1×, stopped 1×/),
      expect.stringMatching(/proxy started 3×, stopped 2×/),
    ]);
    // 24-hour times like the CLI's, never AM/PM (the browser's locale is en-US, whose default is 12-hour).
    expect(await text(page, '#active-why')).toMatch(/^since \d\d:\d\d:\d\d /);
    expect(await text(page, 'body')).not.toMatch(/\b(AM|PM)\b/);
    // Each model's name in the bands is whole or hidden (the legend names them all), never cut.
    const cut = await page.evaluate(
      "[...document.querySelectorAll('.band-label')].filter((l) => !l.hidden && l.getBoundingClientRect().right > l.parentElement.getBoundingClientRect().right + 0.5).map((l) => l.textContent)",
    );
    expect(cut).toEqual([]);
    expect(await text(page, '#bands-legend')).toMatch(/claude \d[\s\S]*deepseek \d/);
    await screenshot(page, 'dashboard-timeline-1280x800.png');

    const phone = await open(`${p.url}/`, { width: 390, height: 844 });
    const row = phone.page.locator('#commits li[data-model=""]').first();
    await row.waitFor();
    await row.scrollIntoViewIfNeeded();
    const sha = await row.locator('.sha').boundingBox();
    const who = await row.locator('.who').boundingBox();
    expect(sha!.x + sha!.width).toBeLessThan(who!.x); // a gap between "e06088aca2" and "(no model)"
    expect(await phone.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone.page, 'dashboard-history-390x844.png');
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});

describe('accept and rollback from the page', () => {
  it('accept (with the configured test, by keyboard) changes the repository exactly as review --accept does', async () => {
    const test = 'test -f src/c.ts';
    const { a, b, p } = await twins({ test });
    const { page, errors } = await open(`${p.url}/`);
    const button = page.getByRole('button', { name: "Accept deepseek's work" });
    await button.waitFor();
    await page.locator(`#commits li[data-sha="${a.shas.d2}"] .badge.pending`).waitFor();
    await button.focus();
    await page.keyboard.press('Enter');
    await page.locator('#action-dialog[open]').waitFor();
    expect(await page.locator('#run-test').isChecked()).toBe(true);
    expect(await text(page, '#action-body')).toContain(test);
    expect(await page.evaluate('document.activeElement?.id')).toBe('action-confirm');
    await page.keyboard.press('Enter');
    await page.locator('#action-status', { hasText: 'Accepted deepseek: 2 commits' }).waitFor({ timeout: 20_000 });
    expect(await text(page, '#action-status')).toContain(`after ${test} passed (exit 0)`);

    const cli = await review(['--accept', 'deepseek', '--test', test, '--repo', b.dir, '--config', p.configFile]);
    expect(cli.exitCode).toBe(0);
    expect(await refs(a.dir)).toEqual(await refs(b.dir));
    expect(await reviewLines(a.dir)).toEqual(await reviewLines(b.dir));
    expect((await reviewLines(a.dir)).map((e) => e.kind)).toEqual(['test', 'accept']);
    // The page shows the new state by itself.
    await page.locator(`#commits li[data-sha="${a.shas.d2}"] .badge.accepted`).waitFor();
    expect(await page.locator('tr[data-model="deepseek"] td').nth(1).innerText()).toBe('0');
    expect(errors).toEqual([]);
  });

  it('rollback shows the dry-run list, asks, then changes the repository exactly as review --rollback does', async () => {
    const { a, b, p } = await twins();
    const { page, errors } = await open(`${p.url}/`);
    await page.getByRole('button', { name: "Roll back deepseek's work" }).click();
    const plan = page.locator('#rollback-plan li');
    await plan.first().waitFor({ timeout: 20_000 });
    expect(await plan.allInnerTexts()).toEqual([
      `${a.shas.d2.slice(0, 10)} deepseek edits shared`,
      `${a.shas.d1.slice(0, 10)} deepseek adds c`,
    ]);
    expect(await refs(a.dir)).toEqual(await refs(b.dir)); // the dry run changed nothing
    await page.getByRole('button', { name: 'Roll back 2 commits' }).click();
    await page.locator('#action-status', { hasText: 'Rolled back deepseek: 2 commits reverted' }).waitFor({ timeout: 20_000 });

    expect((await review(['--rollback', 'deepseek', '--repo', b.dir, '--config', p.configFile])).exitCode).toBe(0);
    const same = async (args: string[]) => expect((await git(a.dir, args)).stdout).toBe((await git(b.dir, args)).stdout);
    await same(['rev-parse', 'HEAD~1', 'HEAD^{tree}']);
    await same(['log', '-1', '--format=%B%n%an <%ae>']);
    await same(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/tags']);
    expect((await snapshot(a.dir)).files).toEqual((await snapshot(b.dir)).files);
    expect(await reviewLines(a.dir)).toEqual(await reviewLines(b.dir));
    await page.locator(`#commits li[data-sha="${a.shas.d2}"] .badge.rolled_back`).waitFor();
    expect(errors).toEqual([]);
  });

  it("refuses on a dirty tree with the CLI's message (rollback, and accept with its test), and nothing changes", async () => {
    const test = 'true';
    const { a, b, p } = await twins({ test });
    for (const dir of [a.dir, b.dir]) writeFileSync(join(dir, 'README.md'), 'hello\nunsaved work\n');
    await p.proxy.ledger.flushed();
    const before = await snapshot(a.dir);
    const { page } = await open(`${p.url}/`);

    await page.getByRole('button', { name: "Roll back deepseek's work" }).click();
    await page.getByRole('button', { name: 'Roll back 2 commits' }).click();
    const shown = page.locator('#action-error');
    await shown.waitFor({ timeout: 20_000 });
    const cli = await review(['--rollback', 'deepseek', '--repo', b.dir, '--config', p.configFile]);
    expect(cli.exitCode).toBe(4);
    expect(await shown.innerText()).toBe(cli.stderr.trim().replace(/^review: /, ''));
    expect(await shown.innerText()).toContain('uncommitted changes in README.md');
    await page.locator('#action-dialog [data-close]').first().click();

    await page.getByRole('button', { name: "Accept deepseek's work" }).click();
    await page.locator('#action-confirm').click();
    await page.locator('#action-error').waitFor({ timeout: 20_000 });
    const cliAccept = await review(['--accept', 'deepseek', '--test', test, '--repo', b.dir, '--config', p.configFile]);
    expect(cliAccept.exitCode).toBe(4);
    expect(await text(page, '#action-error')).toBe(cliAccept.stderr.trim().replace(/^review: /, ''));

    expect(await snapshot(a.dir)).toEqual(before);
  });

  it('a commit opens with its message and diff, by keyboard, and Escape closes it', async () => {
    const { a, p } = await twins();
    const { page, errors } = await open(`${p.url}/`);
    const row = page.locator(`#commits li[data-sha="${a.shas.d2}"] button`);
    await row.waitFor();
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('#commit-text', { hasText: '+line2 deepseek' }).waitFor();
    expect(await text(page, '#commit-text')).toContain('Model: deepseek');
    expect(await page.locator('#commit-text .add').first().innerText()).toMatch(/^\+/);
    await page.keyboard.press('Escape');
    await page.locator('#commit-dialog[open]').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });
});

describe('nobody else can press the buttons', () => {
  let evil: Server;
  // The attacker's page may still hold a keep-alive connection: close it, or close() waits for the browser.
  afterEach(() => new Promise<void>((r) => (evil ? (evil.close(() => r()), evil.closeAllConnections()) : r())));

  it('a page on another origin cannot trigger accept or rollback, and the own page cannot without the session token', async () => {
    const { a, p } = await twins();
    await writeLedger(a.dir, LEDGER.slice(0, 2));
    await p.proxy.ledger.flushed();
    const before = await snapshot(a.dir);
    const seen: { path: string; origin: string | undefined; status: number }[] = [];
    p.proxy.server.on('request', (q: IncomingMessage, s: ServerResponse) => {
      if (q.method === 'POST') s.on('finish', () => seen.push({ path: q.url ?? '', origin: q.headers.origin, status: s.statusCode }));
    });
    const target = `${p.url}/_dashboard/api`;
    const body = JSON.stringify({ model: 'deepseek', test: false, commits: [a.shas.d2, a.shas.d1] });
    // The attacker's page: a simple cross-origin POST (no preflight), a JSON one (preflighted), and a form.
    const html = `<!doctype html><form id="f" method="POST" action="${target}/rollback" enctype="text/plain"><input name='${body.slice(0, -1)}' value='}'></form>
<script>
(async () => {
  const r = [];
  await fetch(${JSON.stringify(`${target}/accept`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body)} }).then(() => r.push('sent'), (e) => r.push('blocked'));
  await fetch(${JSON.stringify(`${target}/rollback`)}, { method: 'POST', headers: { 'content-type': 'application/json', 'x-dashboard-session': 'guess' }, body: ${JSON.stringify(body)} }).then(() => r.push('read'), (e) => r.push('blocked'));
  await fetch(${JSON.stringify(`${p.url}/`)}).then((x) => x.text()).then(() => r.push('read the page'), () => r.push('page unreadable'));
  await fetch('/report?r=' + encodeURIComponent(r.join(',')));
  document.getElementById('f').submit();
})();
</script>`;
    let report = '';
    evil = createServer((q, s) => {
      if (q.url?.startsWith('/report')) report = new URL(q.url, 'http://x').searchParams.get('r') ?? '';
      s.writeHead(200, { 'content-type': 'text/html' }).end(html);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilUrl = `http://evil.test:${(evil.address() as AddressInfo).port}/`;
    const { page } = await open(evilUrl);
    await page.waitForURL(`${target}/rollback`); // the form went
    await page.locator('body', { hasText: 'refused' }).waitFor();
    // The simple POST reached the proxy (and was refused); the preflighted one and reading the page were stopped by the browser.
    expect(report).toBe('sent,blocked,page unreadable');
    expect(seen.map((s) => s.path)).toEqual(['/_dashboard/api/accept', '/_dashboard/api/rollback']);
    for (const s of seen) {
      expect(s.origin).toMatch(/^http:\/\/evil\.test:\d+$/);
      expect(s.status).toBe(403);
    }

    // The dashboard's own page, without the token it embeds.
    const own = await open(`${p.url}/`);
    const res = await own.page.evaluate(async (b) => {
      const r = await fetch('/_dashboard/api/accept', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
      return { status: r.status, body: (await r.json()) as { error: { message: string } } };
    }, body);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('session token');
    expect(await snapshot(a.dir)).toEqual(before);
  });
});

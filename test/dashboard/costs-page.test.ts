// The dashboard's costs in a real headless Chromium: each model's cost with its cache savings, the cost per UTC day,
// a model without a price shown as "unpriced" with money.ts's one note (never $0), and a tier's budget beside it.

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { appendLedger, ledgerPath } from '../../proxy/git/ledger.ts';
import { unpricedNote } from '../../proxy/money.ts';
import { PRICES_READ_ON } from '../../proxy/prices.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { removeRepo } from '../review/fixture.ts';
import { collectPageErrors, launchChromium, startProxyFor } from './helpers.ts';
import { describeWith, missingPrograms } from '../../test-support/describe-with.ts';
import { join } from 'node:path';

const describe = describeWith(['chromium']);

let browser: Browser;
beforeAll(async () => {
  if (missingPrograms(['chromium']).length) return;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('the dashboard shows what each model cost', () => {
  it('cost and cache savings per model and per UTC day, unpriced in the one wording, and the budget', async () => {
    const repo = await makeRepo();
    cleanup.push(() => removeRepo(repo));
    const now = Date.now();
    const ts = new Date(now - 1000).toISOString(); // today, in UTC and locally, but for a second after midnight
    const day = ts.slice(0, 10);
    const file = ledgerPath(join(repo, '.git'));
    const usage = { ts, kind: 'usage' as const, output_tokens: 0, cache_write_tokens: 0, ms: 1, stream: true };
    // Opus 4.6, cost recorded when written: $1.25; 1M cache reads at $0.50 instead of $5 saved $4.50.
    appendLedger(file, {
      ...usage,
      tier: 'claude',
      model: 'claude-opus-4-6',
      input_tokens: 150_000,
      cache_read_tokens: 1_000_000,
      cost_usd: 1.25,
    });
    appendLedger(file, { ...usage, tier: 'deepseek', model: 'deepseek-v4-flash', input_tokens: 5000, cache_read_tokens: 0 });
    const p = await startProxyFor(repo, {
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9', budget: { amount: 5, per: 'day' } },
        { name: 'deepseek', protocol: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'sk-deepseek', model: 'deepseek-v4-flash' },
      ],
    });
    cleanup.push(() => p.close());

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    cleanup.push(() => context.close());
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${p.url}/`);
    await page.locator('#usage-chart .row[data-model="deepseek"]').waitFor();

    const claude = await page.locator('#usage-chart .row[data-model="claude"] .figures').innerText();
    expect(claude).toContain('$1.25 · cache saved $4.50');
    const deepseek = await page.locator('#usage-chart .row[data-model="deepseek"] .figures').innerText();
    expect(deepseek).toMatch(/· unpriced$/);
    expect(await page.locator('#usage-chart .total').innerText()).toMatch(/unpriced · cache saved \$4\.50$/);
    expect(await page.locator(`#usage-days li[data-day="${day}"]`).innerText()).toBe(
      `${day}: unpriced · cache saved $4.50 · claude $1.25, deepseek unpriced`,
    );
    expect(await page.locator('#usage-unpriced').innerText()).toBe(unpricedNote(['deepseek/deepseek-v4-flash'], PRICES_READ_ON));
    expect(await page.locator('#usage-chart').innerText()).not.toMatch(/\$0(?![.\d])/);
    // The budget, with the spend read back from the ledger at start.
    await page.locator('[data-budget="claude"]').waitFor();
    expect(await page.locator('[data-budget="claude"]').innerText()).toBe('budget $1.25 of $5.00 a day (UTC)');
    expect(errors).toEqual([]);
  });
});

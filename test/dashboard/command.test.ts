// The dashboard of a proxy started as the `claude-fallback start` command, from this clone (its sources, and the
// dist/ bundle its bin builds) and from the packed and installed package (the way a user runs it), in headless Chromium: the page loads, follows a switch
// after a 429 live, and Models' work, accept and rollback run the review of that same installation. A review
// script planted above the installation (an attacker who can write the folder) never runs.

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { git } from '../../proxy/git/git.ts';
import { buildFixture, removeRepo } from '../review/fixture.ts';
import { packedInstall, type Packed } from '../cli/installed.ts';
import { collectPageErrors, launchChromium, screenshot, startProxyCommand, type ProxyMode } from './helpers.ts';
import { describeWith, missingPrograms } from '../../test-support/describe-with.ts';

/** Each group drives Debian's Chromium; without it they are skipped and the run's last line says so. */
const describe = describeWith(['chromium']);

let browser: Browser;
let installed: Packed;
beforeAll(async () => {
  if (missingPrograms(['chromium']).length) return;
  [browser, installed] = await Promise.all([launchChromium(), packedInstall()]);
}, 600_000);
afterAll(async () => {
  await browser?.close();
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const req = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Read the README' }] };

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  cleanup.push(() => context.close());
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  return { page, errors };
}

async function start(mode: ProxyMode, repo: string, tiers: Parameters<typeof configYaml>[0]['tiers'], extra: Record<string, unknown> = {}) {
  const p = await startProxyCommand(mode, repo, { ...JSON.parse(configYaml({ tiers })), ...extra }, { bin: installed.bin });
  cleanup.push(() => p.close());
  return p;
}

/** A loader that runs a `.ts` file as plain JavaScript: what a planted `tsx` needs to run a planted review. */
const PLANTED_LOADER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent('import { readFileSync } from "node:fs"; export async function load(u, c, next) { return u.endsWith(".ts") ? { format: "module", source: readFileSync(new URL(u)), shortCircuit: true } : next(u, c); }'));
`;

/**
 * An attacker who can write the folders around the installation: a `scripts/review.ts` that writes a marker and
 * answers like review, and a `tsx` beside it (a global tsx, to Node) so that `node --import tsx` started there runs
 * it, in the folder above the installed package and in the parent of the prefix.
 */
function plantReview(): { dirs: string[]; marker: string } {
  const marker = join(dirname(installed.prefix), 'planted-review-ran');
  const dirs = [dirname(installed.root), dirname(installed.prefix)];
  for (const d of dirs) {
    mkdirSync(join(d, 'scripts'), { recursive: true });
    writeFileSync(
      join(d, 'scripts', 'review.ts'),
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, import.meta.url + '\\n');\nconsole.log(JSON.stringify({ rows: [] }));\n`,
    );
    mkdirSync(join(d, 'node_modules', 'tsx'), { recursive: true });
    writeFileSync(
      join(d, 'node_modules', 'tsx', 'package.json'),
      JSON.stringify({ name: 'tsx', version: '0.0.0', exports: { '.': './loader.mjs' } }),
    );
    writeFileSync(join(d, 'node_modules', 'tsx', 'loader.mjs'), PLANTED_LOADER);
  }
  cleanup.push(() => {
    for (const d of dirs) for (const f of ['scripts', 'node_modules']) rmSync(join(d, f), { recursive: true, force: true });
    rmSync(marker, { force: true });
  });
  return { dirs, marker };
}

for (const mode of ['sources', 'clone', 'installed'] as const)
  describe(`the dashboard of \`claude-fallback start\` from the ${mode}`, () => {
    it('loads, and after a 429 shows the new tier live', async () => {
      const a = await startFakeUpstream((_, i) =>
        i === 1
          ? { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '3600' } }
          : { kind: 'sse', text: TEXT },
      );
      const b = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
      cleanup.push(
        () => a.close(),
        () => b.close(),
      );
      const repo = await makeRepo();
      cleanup.push(() => removeRepo(repo));
      const p = await start(mode, repo, [
        { name: 'claude', protocol: 'anthropic', base_url: a.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-deepseek', model: 'deepseek-v4-flash' },
      ]);
      const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: p.url, maxRetries: 0 });
      await client.messages.stream(req).finalMessage();
      const { page, errors } = await open(`${p.url}/`);
      await page.locator('#active-tier', { hasText: 'claude' }).waitFor();
      await page.locator('#conn', { hasText: 'live' }).waitFor();
      await page.evaluate('window.loadedOnce = 1');
      await client.messages.stream(req).finalMessage(); // claude answers 429: deepseek answers
      await page.locator('#active-tier', { hasText: 'deepseek' }).waitFor({ timeout: 10_000 });
      await page.locator('#active-why', { hasText: 'rate limit (429) from claude' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('tr[data-tier="claude"]').innerText()).toContain('cooling down');
      expect(await page.evaluate('window.loadedOnce')).toBe(1);
      await screenshot(page, `dashboard-${mode}-command.png`);
      expect(errors).toEqual([]);
    });

    it("Models' work, rollback and accept run this installation's review, never a scripts/review.ts above it", async () => {
      const planted = mode === 'installed' ? plantReview() : null;
      const fx = await buildFixture();
      cleanup.push(() => removeRepo(fx.dir));
      const p = await start(mode, fx.dir, [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }]);
      // What the panel reads: this installation's review of the repository.
      const models = (await (await fetch(`${p.url}/_dashboard/api/models`)).json()) as { analyze?: { rows: { model: string | null }[] } };
      if (planted) expect(existsSync(planted.marker)).toBe(false);
      expect(models.analyze?.rows.map((r) => r.model)).toEqual(expect.arrayContaining(['deepseek', 'claude', 'gemini-flash']));
      const { page, errors } = await open(`${p.url}/`);
      // The panel: one row per model with its buttons (the review ran and answered JSON).
      await page.locator('#models-body tr[data-model="deepseek"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('#models-body tr[data-model="deepseek"] td').nth(1).innerText()).toBe('2');

      await page.getByRole('button', { name: "Roll back deepseek's work" }).click();
      await page.locator('#rollback-plan li').first().waitFor({ timeout: 30_000 });
      expect(await page.locator('#rollback-plan li').allInnerTexts()).toEqual([
        `${fx.shas.d2.slice(0, 10)} deepseek edits shared`,
        `${fx.shas.d1.slice(0, 10)} deepseek adds c`,
      ]);
      await page.getByRole('button', { name: 'Roll back 2 commits' }).click();
      await page.locator('#action-status', { hasText: 'Rolled back deepseek: 2 commits reverted' }).waitFor({ timeout: 30_000 });
      expect(existsSync(join(fx.dir, 'src', 'c.ts'))).toBe(false);
      expect((await git(fx.dir, ['log', '-1', '--format=%B'])).stdout).toContain('Model-Rollback: deepseek');
      await page.keyboard.press('Escape');
      await page.locator('#action-dialog[open]').waitFor({ state: 'detached' });

      await page.getByRole('button', { name: "Accept claude's work" }).click();
      await page.locator('#action-confirm').click();
      await page.locator('#action-status', { hasText: /Accepted claude: 1 commit/ }).waitFor({ timeout: 30_000 });
      expect((await git(fx.dir, ['tag', '--list', 'accepted-claude-*'])).stdout).not.toBe('');
      if (planted) {
        expect(existsSync(planted.marker)).toBe(false);
        for (const d of planted.dirs) expect(existsSync(join(d, 'scripts', 'review.ts'))).toBe(true); // it was there all along
      }
      expect(errors).toEqual([]);
    }, 120_000);
  });

// The dashboard tests' real parts: the proxy (startApp) for a given repository with a config written
// outside it, headless Chromium from Debian's package driven by playwright-core, and screenshots.

import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApp, type App } from '../../proxy/app.ts';
import type { HarnessOptions } from '../helpers/harness.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { git } from '../../proxy/git/git.ts';

import { CHROMIUM } from '../../test-support/programs.ts';

export { CHROMIUM };
export const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts');

/** Launches Debian's Chromium; never downloads one. A missing browser fails the test (CI installs it). */
export async function launchChromium(args: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args });
}

export type DashProxy = App & { url: string; repo: string; configFile: string; logs: string[]; close(): Promise<void> };

/** The real proxy for `repo`, its config (JSON is YAML) written to a temp dir so the repository stays untouched. */
export async function startProxyFor(repo: string, opts: HarnessOptions & { review?: { test?: string } }): Promise<DashProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-config-'));
  const configFile = join(dir, 'fallbackrc.yaml');
  const base = JSON.parse(configYaml(opts)) as Record<string, unknown>;
  writeFileSync(configFile, JSON.stringify({ ...base, ...(opts.review ? { review: opts.review } : {}) }));
  const logs: string[] = [];
  const app = await startApp({ repo, configFile, log: (l) => logs.push(l), env: opts.env ?? {} });
  return { ...app, url: `http://127.0.0.1:${app.port}`, repo, configFile, logs, close: () => app.proxy.close(500) };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path });
  return path;
}

/** Every ref with the object it names: what accept and rollback change. */
export async function refs(repo: string): Promise<string> {
  return (await git(repo, ['for-each-ref', '--format=%(refname) %(objectname)'])).stdout;
}

/** Fails the page's test with what the page logged when a script error happens. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

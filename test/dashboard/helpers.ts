// The dashboard tests' real parts: the proxy (startApp in this process, or the `claude-fallback start` command
// from the sources or from an installed package) for a given repository with a config written outside it,
// headless Chromium from Debian's package driven by playwright-core, and screenshots.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApp, type App } from '../../proxy/app.ts';
import type { HarnessOptions } from '../helpers/harness.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { git } from '../../proxy/git/git.ts';
import { cliEnv, ROOT as CLONE } from '../cli/installed.ts';

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

export type ProxyMode = 'sources' | 'clone' | 'installed';

/** A proxy started as the `claude-fallback start` command, in its own process group. */
export type ProxyCommand = { url: string; repo: string; configFile: string; pid: number; output(): string; close(): Promise<void> };

/**
 * `claude-fallback start --no-hooks --config <file> --port 0` in `repo`, as a user runs it: `installed` is the bin of
 * a packed and installed package (its dist/ bundle); `clone` is this clone's bin as it runs by default (the dist/
 * bundle it builds in the clone); `sources` is the same bin on the TypeScript sources (CLAUDE_FALLBACK_RUNTIME=sources,
 * through the clone's own tsx). The config (JSON is YAML) is written outside the
 * repository; no tsx on PATH. Resolves once the command prints the proxy's address.
 */
export async function startProxyCommand(
  mode: ProxyMode,
  repo: string,
  config: Record<string, unknown>,
  opts: { bin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProxyCommand> {
  const configFile = join(mkdtempSync(join(tmpdir(), 'dash-config-')), 'fallbackrc.yaml');
  writeFileSync(configFile, JSON.stringify(config));
  if (mode === 'installed' && !opts.bin) throw new Error('installed mode needs the installed bin');
  const [cmd, pre] = mode === 'installed' ? [opts.bin!, []] : [process.execPath, [join(CLONE, 'bin', 'claude-fallback.mjs')]];
  const env = cliEnv({ ...(mode === 'sources' ? { CLAUDE_FALLBACK_RUNTIME: 'sources' } : {}), ...opts.env });
  const child = spawn(cmd, [...pre, 'start', '--no-hooks', '--config', configFile, '--port', '0'], {
    cwd: repo,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /export ANTHROPIC_BASE_URL=(http:\/\/\S+)/.exec(out);
    if (m) return { url: m[1], repo, configFile, pid: child.pid!, output: () => out, close };
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`claude-fallback start (${mode}) did not print its address:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

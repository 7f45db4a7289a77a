// The real Claude Code CLI (-p) through the proxy with a haiku route: its background request (the session title,
// asked of the small fast model, ANTHROPIC_DEFAULT_HAIKU_MODEL, "the model to use for haiku, or background
// functionality": https://code.claude.com/docs/en/model-config) reaches the cheap tier, its main request reaches
// tier 0. Each fake records the model every request named. Not a switch: no switch line, claude stays active.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startFakeDeepSeek } from '../helpers/fake-deepseek-anthropic.ts';
import { startHarness } from '../helpers/harness.ts';
import { claudeBin } from '../helpers/claude-code.ts';
import type { RouteEvent, UsageEvent } from '../../proxy/git/ledger.ts';

const HAIKU = 'claude-haiku-4-5-20251001';
const KEY = 'sk-e2e-deepseek-key';

let bin = '';
beforeAll(() => {
  bin = claudeBin();
}, 600_000);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const modelOf = (r: { url: string; json: unknown }) =>
  r.url.includes('/v1/messages') ? String((r.json as { model?: unknown }).model) : null;

describe('Claude Code with a haiku route', () => {
  it('sends its background (haiku) requests to the cheap tier and its main conversation to tier 0', async () => {
    const claude = await startStrictAnthropic();
    const deepseek = await startFakeDeepSeek({ key: KEY, reply: () => ({ text: 'Routing check' }) });
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: KEY },
      ],
      routes: [{ name: 'background', model: 'claude-haiku-*', tiers: ['deepseek'] }],
    });
    cleanup.push(
      () => claude.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const home = mkdtempSync(join(tmpdir(), 'routes-e2e-home-'));
    // A prompt of a few words: Claude Code 2.1.197 asks haiku for the session's title before the main turn (a bare
    // greeting gets none).
    const r = await execa(bin, ['-p', 'List the files in this repository and say what each one is for'], {
      cwd: h.repo,
      extendEnv: false,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        ANTHROPIC_BASE_URL: h.url,
        ANTHROPIC_API_KEY: 'sk-ant-e2e-client-key',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: HAIKU,
        // Not CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: it turns the title request (the background work) off too.
        DISABLE_AUTOUPDATER: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      },
      stdin: 'ignore',
      reject: false,
      timeout: 150_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);

    const toCheap = deepseek.requests.map(modelOf).filter((m) => m !== null);
    const toClaude = claude.requests.map(modelOf).filter((m) => m !== null);
    expect(toCheap.length).toBeGreaterThan(0);
    expect(new Set(toCheap)).toEqual(new Set([HAIKU]));
    expect(deepseek.verdicts.every((v) => v.status === 200)).toBe(true);
    expect(toClaude.length).toBeGreaterThan(0);
    expect(toClaude.filter((m) => m.includes('haiku'))).toEqual([]);
    expect(claude.verdicts.every((v) => v.status === 200)).toBe(true);

    const events = await h.settledEvents();
    expect(events.filter((e) => e.kind === 'switch')).toEqual([]);
    expect(h.proxy.state.active).toBe(0);
    const usage = events.filter((e): e is UsageEvent => e.kind === 'usage');
    expect(usage.filter((u) => u.tier === 'deepseek').every((u) => u.route === 'background')).toBe(true);
    expect(usage.filter((u) => u.tier === 'claude').every((u) => u.route === undefined)).toBe(true);
    const routes = events.filter((e): e is RouteEvent => e.kind === 'route');
    const session = deepseek.requests[0].headers['x-claude-code-session-id'];
    expect(typeof session).toBe('string');
    expect(routes).toMatchObject([{ rule: 'background', tier: 'deepseek', session }]);
  }, 200_000);
});

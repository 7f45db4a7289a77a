// .fallbackrc.yaml: defaults, ${VAR} expansion and skipped tiers, and errors that name key and line.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, locateConfig, parseConfig, PROJECT_DEFAULT_CONFIG } from '../proxy/config.ts';

const tier = 'tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n';

describe('config', () => {
  it('loads the project default with no keys at all as Claude only, the other tiers skipped with the reason', () => {
    const c = loadConfig(PROJECT_DEFAULT_CONFIG, {});
    expect(c.tiers.map((t) => t.name)).toEqual(['claude']);
    expect(c.skipped).toEqual([
      { name: 'gemini-flash', reason: '$GEMINI_API_KEY not set' },
      { name: 'deepseek', reason: '$DEEPSEEK_API_KEY not set' },
    ]);
    expect(c.proxy).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      maxBodyBytes: 32 * 1024 * 1024,
      requestTimeoutMs: 60_000,
      maxConnections: 512,
    });
    expect(c.fallback).toMatchObject({ cooldownMs: 15 * 60_000, maxWaitMs: 10_000, firstByteTimeoutMs: 60_000 });
    expect(c.notify.discord).toBeUndefined();
  });

  it('fills ${VAR} from the environment and keeps every tier whose variables are set', () => {
    const c = loadConfig(PROJECT_DEFAULT_CONFIG, {
      GEMINI_API_KEY: 'g-key',
      DEEPSEEK_API_KEY: 'd-key',
      DISCORD_WEBHOOK_URL: 'http://127.0.0.1/hook',
    });
    expect(c.tiers.map((t) => [t.name, t.apiKey])).toEqual([
      ['claude', undefined],
      ['gemini-flash', 'g-key'],
      ['deepseek', 'd-key'],
    ]);
    expect(c.notify.discord).toBe('http://127.0.0.1/hook');
  });

  it('reads durations, sizes and GIT_AUTO_COMMIT=false', () => {
    const c = parseConfig(
      `proxy:\n  max_body: 2MB\n  request_timeout: 90s\n  max_connections: 64\n${tier}fallback:\n  cooldown: 1h30m\n  max_wait: 500ms\ngit:\n  auto_commit: true\n`,
      'f.yaml',
      { GIT_AUTO_COMMIT: 'false' },
    );
    expect(c.proxy.maxBodyBytes).toBe(2 * 1024 * 1024);
    expect(c.proxy).toMatchObject({ requestTimeoutMs: 90_000, maxConnections: 64 });
    expect(c.fallback.cooldownMs).toBe(90 * 60_000);
    expect(c.fallback.maxWaitMs).toBe(500);
    expect(c.git.autoCommit).toBe(false);
  });

  it.each([
    [`proxy:\n  port: eighty\n${tier}`, 'f.yaml:2: proxy.port: must be a whole number from 0 to 65535, got "eighty"'],
    [`${tier}    colour: red\n`, 'f.yaml:5: tiers[0].colour: unknown key'],
    [`${tier}fallback:\n  cooldown: 15 minutes\n`, 'f.yaml:6: fallback.cooldown: bad duration "15 minutes"'],
    [`${tier}fallback:\n  max_wait: 10\n`, 'f.yaml:6: fallback.max_wait: bad duration 10'],
    [`proxy:\n  request_timeout: 0s\n${tier}`, 'f.yaml:2: proxy.request_timeout: must be more than 0'],
    [`proxy:\n  max_connections: 0\n${tier}`, 'f.yaml:2: proxy.max_connections: must be a whole number from 1 to 100000, got 0'],
    ['tiers:\n  - name: x\n    protocol: grpc\n    base_url: http://h\n', 'f.yaml:3: tiers[0].protocol: unknown protocol "grpc"'],
    [
      'tiers:\n  - name: g\n    protocol: gemini\n    base_url: http://h\n    api_key: k\n',
      'f.yaml:2: tiers[0].model: a gemini tier needs a model',
    ],
    [`${tier}git:\n  auto_commit: yes please\n`, 'f.yaml:6: git.auto_commit: must be true or false'],
    [`proxy:\n  host: 0.0.0.0\n${tier}`, 'f.yaml:2: proxy.host: "0.0.0.0" is reachable from other machines: set proxy.token'],
    ['tiers: [\n', 'f.yaml:2: invalid YAML'],
    [`${tier}  - name: claude\n    protocol: anthropic\n    base_url: http://h\n`, 'f.yaml:5: tiers[1].name: duplicate tier name "claude"'],
  ])('names the key and line of a mistake: %#', (text, message) => {
    expect(() => parseConfig(text, 'f.yaml', {})).toThrow(message);
  });

  it('accepts a non-loopback host when proxy.token is set', () => {
    expect(parseConfig(`proxy:\n  host: 0.0.0.0\n  token: \${T}\n${tier}`, 'f.yaml', { T: 'secret' }).proxy.token).toBe('secret');
  });

  // Issue 19 item 6: Node's timers hold at most 2^31−1 ms (24.8 days); past it they fire after 1 ms, so
  // `holdback: 30d` was a holdback silently off and `request_timeout: 99999999999d` crashed at start.
  const DURATION_KEYS: [string, string, string][] = [
    ['proxy', 'request_timeout', '24d'],
    ['fallback', 'max_wait', '24d'],
    ['fallback', 'first_byte_timeout', '24d'],
    ['fallback', 'idle_timeout', '24d'],
    ['fallback', 'holdback', '24d'],
    ['fallback', 'cooldown', '7d'], // the proxy cools a tier down a week at most, whatever it is told
    ['notify', 'timeout', '24d'],
  ];

  it.each(DURATION_KEYS)('refuses %s.%s past its largest value (%s), naming the key, the line and that value', (section, key, largest) => {
    for (const value of ['30d', '99999999999d', `${largest}1ms`, '9'.repeat(400) + 'd']) {
      const text = `${tier}${section}:\n  ${key}: ${value}\n`;
      expect(() => parseConfig(text, 'f.yaml', {})).toThrow(
        `f.yaml:6: ${section}.${key}: ${value} is too long: the largest allowed value is ${largest}`,
      );
    }
    const atLimit = parseConfig(`${tier}${section}:\n  ${key}: ${largest}\n`, 'f.yaml', {});
    const read = { proxy: atLimit.proxy, fallback: atLimit.fallback, notify: atLimit.notify } as Record<string, Record<string, unknown>>;
    expect(Object.values(read[section])).toContain(Number.parseInt(largest, 10) * 86_400_000);
  });
});

describe('where a value and a config come from (for proxy/trust/)', () => {
  it('records every value read from ${VAR}, with its tier and key; not those of a skipped tier', () => {
    const text = `proxy:\n  token: \${T}\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n    headers:\n      X-Extra: "a-\${H}"\n  - name: ds\n    protocol: anthropic\n    base_url: https://api.deepseek.com/anthropic\n    api_key: \${K}\n  - name: gone\n    protocol: openai\n    base_url: https://api.openai.com/v1\n    api_key: \${UNSET}\n    model: m\nnotify:\n  webhooks: ["\${W}"]\n`;
    const c = parseConfig(text, 'f.yaml', { T: 't', H: 'h', K: 'k', W: 'https://w' });
    expect(c.fromEnv).toEqual([
      { path: 'proxy.token' },
      { path: 'tiers[0].headers.X-Extra', tier: 'claude', key: 'headers.X-Extra' },
      { path: 'tiers[1].api_key', tier: 'ds', key: 'api_key' },
      { path: 'notify.webhooks[0]' },
    ]);
    expect(parseConfig(tier, 'f.yaml', {}).fromEnv).toEqual([]);
  });

  it("finds --config first, then the repository's file, then the user's config.yaml, then the tool's default", () => {
    const home = realpathSync(mkdtempSync(join(tmpdir(), 'cf-home-')));
    const repo = realpathSync(mkdtempSync(join(tmpdir(), 'cf-repo-')));
    try {
      const env = { XDG_CONFIG_HOME: home };
      expect(locateConfig(undefined, repo, env)).toEqual({ file: PROJECT_DEFAULT_CONFIG, origin: 'tool-default' });
      mkdirSync(join(home, 'claude-fallback'));
      writeFileSync(join(home, 'claude-fallback', 'config.yaml'), tier);
      expect(locateConfig(undefined, repo, env)).toEqual({ file: join(home, 'claude-fallback', 'config.yaml'), origin: 'user' });
      writeFileSync(join(repo, '.fallbackrc.yaml'), tier);
      expect(locateConfig(undefined, repo, env)).toEqual({ file: join(repo, '.fallbackrc.yaml'), origin: 'repository' });
      expect(locateConfig('x.yaml', repo, env)).toEqual({ file: resolve('x.yaml'), origin: 'command-line' });
    } finally {
      rmSync(home, { recursive: true, force: true });
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

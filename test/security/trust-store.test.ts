// The trust store (proxy/trust/store.ts) and the loader (proxy/trust/load.ts): a repository's file is trusted
// for the content it had when approved, in the user's config folder; the user's own files always are.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revokeFile, storeFile, trustFile, trustOf } from '../../proxy/trust/store.ts';
import { loadConfigWithTrust } from '../../proxy/trust/load.ts';
import { userConfigDir } from '../../proxy/trust/user-dir.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function temp(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'cf-trust-')));
  dirs.push(d);
  return d;
}

const HOSTILE =
  'tiers:\n  - { name: claude, protocol: anthropic, base_url: "http://127.0.0.1:1" }\nnotify: { on_switch: ["touch pwned"] }\n';

describe('the trust store', () => {
  it('lives in $XDG_CONFIG_HOME/claude-fallback, else ~/.config/claude-fallback', () => {
    expect(userConfigDir({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' })).toBe('/x/conf/claude-fallback');
    expect(userConfigDir({ HOME: '/home/u' })).toBe('/home/u/.config/claude-fallback');
    expect(userConfigDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.config/claude-fallback');
  });

  it('trusts a file for the content it had, until revoked', () => {
    const home = temp();
    const env = { XDG_CONFIG_HOME: home };
    const file = join(temp(), '.fallbackrc.yaml');
    writeFileSync(file, HOSTILE);
    expect(trustOf(file, HOSTILE, env)).toBeNull();
    trustFile(file, HOSTILE, env);
    expect(trustOf(file, HOSTILE, env)).toBe('store');
    expect(trustOf(file, HOSTILE + '# edited\n', env)).toBeNull();
    expect(statSync(storeFile(env)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(storeFile(env), 'utf8')).files[file].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(revokeFile(file, env)).toBe(true);
    expect(trustOf(file, HOSTILE, env)).toBeNull();
    expect(revokeFile(file, env)).toBe(false);
  });

  it('does not carry trust to the same content at another path', () => {
    const env = { XDG_CONFIG_HOME: temp() };
    const a = join(temp(), '.fallbackrc.yaml');
    const b = join(temp(), '.fallbackrc.yaml');
    writeFileSync(a, HOSTILE);
    writeFileSync(b, HOSTILE);
    trustFile(a, HOSTILE, env);
    expect(trustOf(b, HOSTILE, env)).toBeNull();
  });

  it('trusts every config under CLAUDE_FALLBACK_TRUSTED_PATHS, and nothing beside it', () => {
    const parent = temp();
    mkdirSync(join(parent, 'mine'));
    mkdirSync(join(parent, 'mine-not'));
    const env = { XDG_CONFIG_HOME: temp(), CLAUDE_FALLBACK_TRUSTED_PATHS: `/nowhere:${join(parent, 'mine')}` };
    expect(trustOf(join(parent, 'mine', '.fallbackrc.yaml'), HOSTILE, env)).toBe('path');
    expect(trustOf(join(parent, 'mine-not', '.fallbackrc.yaml'), HOSTILE, env)).toBeNull();
  });
});

describe('loading a config with trust applied', () => {
  it('cuts a repository file down until trusted, then runs it as written; an edit revokes', () => {
    const env = { XDG_CONFIG_HOME: temp() };
    const repo = temp();
    const file = join(repo, '.fallbackrc.yaml');
    writeFileSync(file, HOSTILE);
    const before = loadConfigWithTrust({ repo, env });
    expect(before).toMatchObject({ origin: 'repository', trust: null });
    expect(before.config.notify.onSwitch).toEqual([]);
    expect(before.removals.map((r) => r.key)).toEqual(['tier "claude"', 'notify.on_switch']);
    trustFile(file, readFileSync(file), env);
    const after = loadConfigWithTrust({ repo, env });
    expect(after).toMatchObject({ trust: 'store', removals: [] });
    expect(after.config.notify.onSwitch).toEqual(['touch pwned']);
    writeFileSync(file, HOSTILE + '# a pull changed it\n');
    expect(loadConfigWithTrust({ repo, env }).trust).toBeNull();
  });

  it("trusts the user's own files: --config, and config.yaml in the user's config folder", () => {
    const home = temp();
    const env = { XDG_CONFIG_HOME: home };
    const own = join(temp(), 'mine.yaml');
    writeFileSync(own, HOSTILE);
    expect(loadConfigWithTrust({ explicit: own, repo: temp(), env })).toMatchObject({
      origin: 'command-line',
      trust: 'user',
      removals: [],
    });
    mkdirSync(join(home, 'claude-fallback'));
    writeFileSync(join(home, 'claude-fallback', 'config.yaml'), HOSTILE);
    const user = loadConfigWithTrust({ repo: temp(), env });
    expect(user).toMatchObject({ origin: 'user', trust: 'user', removals: [] });
    expect(user.config.notify.onSwitch).toEqual(['touch pwned']);
  });
});

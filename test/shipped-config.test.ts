// The shipped `.fallbackrc.yaml`: its commented-out examples (the haiku route, the budget, the price, switch_before)
// parse and validate once uncommented, in a temporary copy loaded as a user's file, so the examples cannot rot; and
// so do the example configs of docs/config.md (with its commented-out keys) and docs/routing.md's rules.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli/installed.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_DEFAULT_CONFIG } from '../proxy/config.ts';

/** A comment whose text is YAML (a `key:` or a `- key:` item) is an example; prose comments are not. */
const EXAMPLE = /^(\s*)# ?(\s*(?:- )?[a-z_]+:(?:\s.*)?)$/;

/**
 * Uncomments every example line. A `…` is a placeholder the user fills (DeepSeek's price: docs/review.md, "Prices");
 * it becomes a number here.
 */
function uncommentExamples(text: string): { text: string; uncommented: string[] } {
  const uncommented: string[] = [];
  const lines = text.split('\n').map((line) => {
    const m = EXAMPLE.exec(line);
    if (!m) return line;
    const out = (m[1] + m[2]).replaceAll('…', '1.5');
    uncommented.push(out.trim());
    return out;
  });
  return { text: lines.join('\n'), uncommented };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes `text` as a user's config file in a temporary folder and loads it. */
function load(text: string, env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'shipped-config-'));
  dirs.push(dir);
  const file = join(dir, '.fallbackrc.yaml');
  writeFileSync(file, text);
  return loadConfig(file, env);
}

/** The ```yaml blocks of a doc. */
function yamlBlocks(doc: string): string[] {
  return [...readFileSync(join(ROOT, 'docs', doc), 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => m[1]);
}

describe('the shipped .fallbackrc.yaml', () => {
  const shipped = readFileSync(PROJECT_DEFAULT_CONFIG, 'utf8');
  const env = { GEMINI_API_KEY: 'g-key', DEEPSEEK_API_KEY: 'd-key' };

  it('loads as shipped, with no route, budget or switch_before', () => {
    const c = loadConfig(PROJECT_DEFAULT_CONFIG, env);
    expect(c.routes).toEqual([]);
    expect(c.tiers.some((t) => t.budget)).toBe(false);
    expect(c.fallback.switchBefore).toBeUndefined();
  });

  it('its commented-out examples, uncommented, load and mean what their comments say', () => {
    const { text, uncommented } = uncommentExamples(shipped);
    // The examples the file ships (a missing one means the file changed: update this list with it).
    expect(uncommented.map((l) => l.split(':')[0])).toEqual(
      expect.arrayContaining(['budget', 'price', 'routes', '- name', 'model', 'tiers', 'switch_before']),
    );
    const c = load(text, env);
    const names = c.tiers.map((t) => t.name);
    expect(c.routes).toHaveLength(1);
    expect(c.routes[0].name).toBe('background');
    expect(c.routes[0].tiers.map((i) => names[i])).toEqual(['deepseek', 'claude']);
    expect(c.tiers.find((t) => t.name === 'gemini-flash')?.budget).toEqual({ amount: 5, per: 'day' });
    expect(c.tiers.find((t) => t.name === 'deepseek')?.price).toMatchObject({ input: 1.5, output: 1.5 });
    expect(c.fallback.switchBefore).toMatchObject({ utilization: 0.97 });
  });

  it("docs/routing.md's rules load against the shipped tiers", () => {
    const [rules] = yamlBlocks('routing.md').filter((b) => b.startsWith('routes:'));
    const c = load(shipped.replace(/^# routes:[\s\S]*?^(?=fallback:)/m, rules), env);
    expect(c.routes.map((r) => r.name)).toEqual(['background', 'subagents', 'long', 'pictures']);
  });
});

describe("docs/config.md's example config", () => {
  const [example] = yamlBlocks('config.md').filter((b) => b.includes('\ntiers:'));
  const env = { GEMINI_API_KEY: 'g', DEEPSEEK_API_KEY: 'd', OPENROUTER_API_KEY: 'o', FALLBACK_TOKEN: 't'.repeat(32) };

  it('loads as written, and with its commented-out keys uncommented', () => {
    expect(load(example, env).routes.map((r) => r.name)).toEqual(['background']);
    const { text, uncommented } = uncommentExamples(example);
    expect(uncommented.length).toBeGreaterThan(10);
    const c = load(text, env);
    expect(c.routes.map((r) => r.name)).toEqual(['background', 'long']);
    expect(c.proxy.token).toBe('t'.repeat(32));
    expect(c.review.test).toBe('npm test');
  });
});

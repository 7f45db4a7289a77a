// The shipped `.fallbackrc.yaml`: its commented-out examples (the haiku route, the budget, the price, switch_before)
// parse and validate once uncommented, in a temporary copy loaded as a user's file, so the examples cannot rot.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const dir = mkdtempSync(join(tmpdir(), 'shipped-config-'));
    dirs.push(dir);
    const file = join(dir, '.fallbackrc.yaml');
    writeFileSync(file, text);
    const c = loadConfig(file, env);
    const names = c.tiers.map((t) => t.name);
    expect(c.routes).toHaveLength(1);
    expect(c.routes[0].name).toBe('background');
    expect(c.routes[0].tiers.map((i) => names[i])).toEqual(['deepseek', 'claude']);
    expect(c.tiers.find((t) => t.name === 'gemini-flash')?.budget).toEqual({ amount: 5, per: 'day' });
    expect(c.tiers.find((t) => t.name === 'deepseek')?.price).toMatchObject({ input: 1.5, output: 1.5 });
    expect(c.fallback.switchBefore).toMatchObject({ utilization: 0.97 });
  });
});

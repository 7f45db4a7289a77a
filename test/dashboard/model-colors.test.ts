// The models' colours have one definition (proxy/model-colors.ts): the dashboard serves it in front of its
// stylesheet, which defines none of its own, and the terminal's blame uses the same (test/blame/blame-cli.test.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL_COLORS } from '../../proxy/model-colors.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { rawRequest } from '../helpers/http.ts';
import { startProxyFor, type DashProxy } from './helpers.ts';

const CSS = readFileSync(join(import.meta.dirname, '..', '..', 'proxy', 'dashboard', 'static', 'app.css'), 'utf8');

let p: DashProxy | null = null;
afterEach(async () => {
  await p?.close();
  p = null;
});

describe('model colours', () => {
  it('app.css defines no model colour of its own and uses every slot of the shared palette', () => {
    expect(CSS).not.toMatch(/--m\d+\s*:/);
    for (let i = 0; i < MODEL_COLORS.length; i++) expect(CSS).toContain(`var(--m${i})`);
  });

  it('the dashboard serves the shared palette, light and dark, in front of app.css', async () => {
    p = await startProxyFor(await makeRepo(), { tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }] });
    const r = await rawRequest(`${p.url}/_dashboard/app.css`);
    expect(r.status).toBe(200);
    expect(r.body.endsWith(CSS)).toBe(true);
    const head = r.body.slice(0, r.body.length - CSS.length);
    expect(head).toContain(`--model-count: ${MODEL_COLORS.length};`);
    MODEL_COLORS.forEach((c, i) => {
      expect(head).toContain(`--m${i}: ${c.light};`);
      expect(head).toContain(`--m${i}: ${c.dark};`);
    });
  });
});

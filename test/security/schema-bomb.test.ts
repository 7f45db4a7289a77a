// Issue 12, item 7: `schema: parameters` inlines `$ref`s for Gemini, and a few KB of schema whose
// definitions fan out used to take the proxy to gigabytes and past SIGTERM. The expansion is bounded
// (a budget of nodes per tool schema; definitions converted once): a schema past it is cut to
// free-form values with a note saying so, and the request still goes out.

import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { fanOutSchema, sendThroughGemini } from '../helpers/schema-bomb.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'test', 'helpers', 'schema-bomb.ts');

describe('$ref expansion for Gemini parameters (item 7)', () => {
  it('sends the 2.3 KB schema of 14 definitions with 4 references each within 512 MB and seconds, cut and marked', async () => {
    const schema = fanOutSchema(14, 4);
    expect(JSON.stringify(schema).length).toBeLessThan(2600);
    // In its own process with a heap cap: the unbounded expansion dies there, not in the test runner.
    const child = await execa('node', ['--max-old-space-size=512', '--import', 'tsx', SCRIPT, '14', '4'], {
      cwd: ROOT,
      reject: false,
      timeout: 15_000,
    });
    expect(child.exitCode, `${child.stderr.slice(-400)}${child.timedOut ? ' (timed out)' : ''}`).toBe(0);
    const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { status: number; geminiBodyBytes: number; parameters: string };
    expect(r.status).toBe(200);
    expect(r.geminiBodyBytes).toBeGreaterThan(0);
    expect(r.geminiBodyBytes).toBeLessThan(1024 * 1024);
    expect(r.parameters).toMatch(/too large/);
  });

  it('cuts a smaller fan-out (3^10 nodes) the same way in the running proxy', async () => {
    const r = await sendThroughGemini(fanOutSchema(10, 3));
    expect(r.status).toBe(200);
    expect(r.geminiBodyBytes).toBeLessThan(1024 * 1024);
    expect(r.parameters).toMatch(/too large/);
  });

  it('still inlines a definition used many times in full when the result is of ordinary size', async () => {
    const address = {
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      required: ['city'],
    };
    const person = {
      type: 'object',
      properties: { name: { type: 'string' }, home: { $ref: '#/$defs/address' }, work: { $ref: '#/$defs/address' } },
    };
    const schema = {
      type: 'object',
      properties: {
        a: { $ref: '#/$defs/person' },
        b: { $ref: '#/$defs/person' },
        c: { $ref: '#/$defs/person' },
        d: { $ref: '#/$defs/person' },
        e: { $ref: '#/$defs/person' },
      },
      $defs: { person, address },
    };
    const r = await sendThroughGemini(schema);
    expect(r.status).toBe(200);
    const params = JSON.parse(r.parameters) as {
      properties: Record<string, { properties: { home: { properties: { zip: { pattern: string } }; required: string[] } } }>;
    };
    for (const k of ['a', 'b', 'c', 'd', 'e']) {
      expect(params.properties[k].properties.home.properties.zip.pattern).toBe('^[0-9]{5}$');
      expect(params.properties[k].properties.home.required).toEqual(['city']);
    }
    expect(r.parameters).not.toMatch(/too large|Any JSON value/);
  });
});

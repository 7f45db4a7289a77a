// One exit-code table for the whole command line: the codes in proxy/exit-codes.ts are the ones docs/cli.md
// lists, and docs/review.md points there instead of keeping a table of its own.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../proxy/exit-codes.ts';

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

describe('exit codes', () => {
  it('docs/cli.md lists exactly the codes of proxy/exit-codes.ts, each once', () => {
    const section = doc('cli.md').split('\n## Exit codes\n')[1].split('\n## ')[0];
    const codes = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual([...new Set(Object.values(EXIT))].sort((a, b) => a - b));
  });

  it('docs/review.md links to that table and keeps none of its own', () => {
    const review = doc('review.md');
    expect(review).toContain('cli.md#exit-codes');
    expect(review).not.toMatch(/^\| code \| meaning \|/m);
  });
});

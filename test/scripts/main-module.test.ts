// mainArgs: a script knows it is the one being run (under node, tsx or zx, through a symlink too) and
// gets the arguments after it; imported by another module it does not run.

import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const HELPER = pathToFileURL(join(import.meta.dirname, '..', '..', 'proxy', 'main-module.mjs')).href;
const ZX = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'zx');

function scripts() {
  const dir = mkdtempSync(join(tmpdir(), 'main-module-'));
  const script = join(dir, 'script.mjs');
  writeFileSync(script, `import { mainArgs } from ${JSON.stringify(HELPER)};\nconsole.log(JSON.stringify(mainArgs(import.meta.url)));\n`);
  const importer = join(dir, 'importer.mjs');
  writeFileSync(importer, `import './script.mjs';\n`);
  const link = join(dir, 'link.mjs');
  symlinkSync(script, link);
  return { script, importer, link };
}

describe('mainArgs', () => {
  it('gives the arguments after the script under node and under zx, also through a symlink', async () => {
    const { script, link } = scripts();
    expect((await execa('node', [script, 'a', '--b'])).stdout).toBe('["a","--b"]');
    expect((await execa('node', [link, 'c'])).stdout).toBe('["c"]');
    expect((await execa(ZX, [script, 'd'])).stdout).toBe('["d"]');
  });

  it('is null in a module that was imported, not run', async () => {
    const { importer } = scripts();
    expect((await execa('node', [importer, 'x'])).stdout).toBe('null');
  });
});

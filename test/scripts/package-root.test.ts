// proxy/package-root.mjs: the package's own package.json, the nearest above the module, and a refusal when the
// module sits in some other package (no guess at a folder above it).

import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageFile, packageRoot, runsBundled } from '../../proxy/package-root.mjs';

const CLONE = join(import.meta.dirname, '..', '..');
const SOURCE = join(CLONE, 'proxy', 'package-root.mjs');

/** A copy of the module at `rel` under a fresh folder that holds `pkg` as its package.json (none when null). */
async function copyAt(pkg: Record<string, unknown> | null, rel: string): Promise<typeof import('../../proxy/package-root.mjs')> {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'pkg-root-')));
  if (pkg) writeFileSync(join(top, 'package.json'), JSON.stringify(pkg));
  const file = join(top, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  copyFileSync(SOURCE, file);
  return import(pathToFileURL(file).href);
}

describe('packageRoot', () => {
  it('is the clone when run from the sources, and files are named from it', () => {
    expect(packageRoot()).toBe(realpathSync(CLONE));
    expect(packageFile('proxy', 'dashboard', 'static')).toBe(join(realpathSync(CLONE), 'proxy', 'dashboard', 'static'));
    expect(runsBundled()).toBe(false);
  });

  it('finds the nearest package.json however deep the module sits (dist/, a chunk folder), and knows dist/', async () => {
    const m = await copyAt({ name: 'claude-fallback' }, 'dist/package-root.mjs');
    expect(m.packageFile('hooks')).toMatch(/pkg-root-[^/]+\/hooks$/);
    expect(m.runsBundled()).toBe(true);
  });

  it("refuses a nearest package.json that is another package's, and none at all, instead of looking further up", async () => {
    const other = await copyAt({ name: 'someone-else' }, 'proxy/package-root.mjs');
    expect(() => other.packageRoot()).toThrow(
      /is not inside the claude-fallback package: the nearest package\.json \(.*\) is "someone-else"'s/,
    );
    const none = await copyAt(null, 'a/package-root.mjs');
    expect(() => none.packageRoot()).toThrow(/is not inside the claude-fallback package: no package\.json above it/);
  });
});

// The commands check the Node.js version themselves at start (package.json engines: >= 20.18), not only `doctor`:
// one clear line and exit 1 before anything loads. The process is made to report an older Node with a preloaded
// module that redefines process.versions.node, so the real check runs on this machine's node.

import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeTooOld } from '../../proxy/node-version.mjs';
import { makeRepo } from '../../test-support/repo.ts';
import { ROOT } from './installed.ts';

const pretend = (version: string) => `--import=data:text/javascript,Object.defineProperty(process.versions,"node",{value:"${version}"})`;

describe('the Node.js version check', () => {
  it('accepts 20.18 and later and refuses what is older, matching package.json engines', () => {
    expect((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node).toBe('>=20.18');
    for (const ok of ['20.18.0', '20.19.1', '22.0.0', '24.3.0', process.versions.node]) expect(nodeTooOld(ok), ok).toBeNull();
    for (const old of ['20.17.9', '18.20.4', '16.0.0'])
      expect(nodeTooOld(old)).toContain(`needs Node.js 20.18 or later; this is node ${old}`);
  });

  it('claude-fallback and scripts/start.mjs refuse an older Node with one line and exit 1 before they start anything', async () => {
    const repo = await makeRepo();
    const runs = [
      execa(process.execPath, [pretend('20.17.0'), join(ROOT, 'bin', 'claude-fallback.mjs'), '--no-hooks', '--', 'sh', '-c', 'echo ran'], {
        cwd: repo,
        reject: false,
      }),
      execa(
        process.execPath,
        [
          pretend('18.19.0'),
          join(ROOT, 'node_modules', 'zx', 'build', 'cli.js'),
          join(ROOT, 'scripts', 'start.mjs'),
          '--repo',
          repo,
          '--',
          'sh',
          '-c',
          'echo ran',
        ],
        { reject: false },
      ),
    ];
    for (const [i, r] of (await Promise.all(runs)).entries()) {
      const version = i === 0 ? '20.17.0' : '18.19.0';
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `error: claude-fallback needs Node.js 20.18 or later; this is node ${version} (${process.execPath}): install a newer Node.js (22 LTS works too)`,
      );
    }
  }, 60_000);
});

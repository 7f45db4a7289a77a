// README's test command on a machine without Chromium or tmux: as root, `npm test`'s pretest installs them
// with apt-get; as anyone else it asks for no password and installs nothing, the tests that need a missing
// program are skipped, the others run, and the run ends with one line naming what was skipped and how to
// install it.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;

/** A bin folder with `id`, `node` and recording fakes of `sudo` and `apt-get`, and no tmux. */
function fakeBin(): { bin: string; calls: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'test-deps-'));
  // A copy of the script where any user can read it (the clone may be in a folder only root can enter).
  const script = join(dir, 'test-deps.sh');
  copyFileSync(join(ROOT, 'scripts', 'test-deps.sh'), script);
  const bin = join(dir, 'bin');
  execFileSync('mkdir', [bin]);
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  for (const tool of ['id', 'node'])
    symlinkSync(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
  for (const tool of ['sudo', 'apt-get']) {
    writeFileSync(join(bin, tool), `#!/bin/bash\necho "${tool} $*" >> ${calls}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  execFileSync('chmod', ['-R', 'a+rwX', dir]);
  return { bin, calls, script };
}

const SETPRIV = '/usr/bin/setpriv';
const asNobody = (cmd: string[]) => ['--reuid=65534', '--regid=65534', '--clear-groups', ...cmd];

describe("npm test's pretest (scripts/test-deps.sh)", () => {
  it.skipIf(!isRoot || !existsSync(SETPRIV))('as a user who is not root: no sudo, no apt-get, exit 0', () => {
    const { bin, calls, script } = fakeBin();
    const run = spawnSync(SETPRIV, asNobody(['/bin/bash', script]), { env: { PATH: bin }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(calls, 'utf8')).toBe('');
  });

  it.skipIf(!isRoot)('as root: installs the missing packages with apt-get, without sudo', () => {
    const { bin, calls } = fakeBin();
    const run = spawnSync('/bin/bash', [join(ROOT, 'scripts', 'test-deps.sh')], { env: { PATH: bin }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('apt-get update -qq');
    expect(lines[1]).toMatch(/^apt-get install -y -qq .*\btmux\b/);
    expect(lines.some((l) => l.startsWith('sudo'))).toBe(false);
  });
});

describe('a run on a machine without tmux', () => {
  it('skips only the tests that drive tmux, runs the rest, and ends with one line naming tmux and its install command', () => {
    const { bin } = fakeBin();
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        join(ROOT, 'test', 'scripts', 'fixtures', 'vitest.needs-tmux.config.ts'),
      ],
      {
        cwd: ROOT,
        env: { PATH: bin, NO_COLOR: '1', CI: 'true' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 passed \| 1 skipped/);
    const last = run.stdout.trim().split('\n').at(-1);
    expect(last).toBe('skipped: the tests that need tmux (install: sudo apt-get install -y tmux)');
  }, 130_000);
});

// Issue 19, item 6, as a user meets it: `claude-fallback` (the bin of this clone, a real process) refuses a
// duration past Node's timer range before it runs anything, naming the key, the line and the largest
// allowed value (`holdback: 30d` was a holdback silently off, `request_timeout: 99999999999d` a proxy
// that failed at start while the command ran anyway); and a base_url with `user:password@` or `?key=`
// never reaches the start banner on the terminal or the log file.

import { afterEach, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRepo } from '../../test-support/repo.ts';
import { cliEnv, ROOT } from '../cli/installed.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';

const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');
const env = cliEnv({ XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cf-xdg-')) });
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** The user's own config file (`--config`), with `extra` lines after the tier. */
function config(dir: string, lines: string): string {
  const file = join(dir, 'user-config.yaml');
  writeFileSync(file, `proxy:\n  host: 127.0.0.1\n  port: 0\n${lines}`);
  return file;
}

const TIER = 'tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\n';

describe('durations past the largest allowed value (item 6)', () => {
  it.each([
    [
      'fallback.holdback: 30d',
      `${TIER}fallback:\n  holdback: 30d\n`,
      ':9: fallback.holdback: 30d is too long: the largest allowed value is 24d',
    ],
    [
      'proxy.request_timeout: 99999999999d',
      `  request_timeout: 99999999999d\n${TIER}`,
      ':4: proxy.request_timeout: 99999999999d is too long: the largest allowed value is 24d',
    ],
    [
      'fallback.cooldown: 30d',
      `${TIER}fallback:\n  cooldown: 30d\n`,
      ':9: fallback.cooldown: 30d is too long: the largest allowed value is 7d',
    ],
  ])('%s: refused before the command runs, naming the key, the line and the largest value', async (_name, lines, message) => {
    const repo = await makeRepo();
    const file = config(repo, lines);
    const r = await execa(process.execPath, [BIN, '--config', file, '--no-hooks', '--', 'sh', '-c', 'echo ran'], {
      cwd: repo,
      env,
      reject: false,
    });
    expect(r.stdout).not.toContain('ran');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(file + message);
  });
});

describe('a base_url carrying credentials (item 6)', () => {
  it('shows it without user:password@ or ?key= on the terminal and in the log file', async () => {
    const up = await startFakeUpstream(() => ({ kind: 'json', status: 200, body: {} }));
    cleanup.push(() => up.close());
    const repo = await makeRepo();
    const host = new URL(up.url).host;
    const file = config(
      repo,
      'tiers:\n' +
        `  - name: claude\n    protocol: anthropic\n    base_url: http://alice:hunter2-pw@${host}/anthropic\n` +
        `  - name: gw\n    protocol: openai\n    base_url: http://${host}/v1?key=sk-query-SECRET-1234\n    api_key: k\n    model: gpt-4.1\n`,
    );
    const secrets = /alice|hunter2-pw|sk-query-SECRET-1234|key=/;

    // In the background (`-- command`), the banner goes to the log file.
    const bg = await execa(process.execPath, [BIN, '--config', file, '--no-hooks', '--', 'sh', '-c', 'echo ran'], {
      cwd: repo,
      env,
      reject: false,
      all: true,
    });
    expect(bg.exitCode).toBe(0);
    expect(bg.all).not.toMatch(secrets);
    const log = readFileSync(join(repo, '.git', 'fallback-proxy.log'), 'utf8');
    expect(log).toMatch(new RegExp(`claude +anthropic +\\(client model\\) +http://${host}/anthropic\\n`));
    expect(log).toMatch(new RegExp(`gw +openai +gpt-4\\.1 +http://${host}/v1\\n`));
    expect(log).not.toMatch(secrets);

    // In the foreground (`start`), the banner goes to the terminal.
    const fg: ResultPromise = execa(process.execPath, [BIN, 'start', '--config', file, '--no-hooks'], {
      cwd: repo,
      env,
      reject: false,
      all: true,
    });
    cleanup.push(() => fg.kill('SIGKILL'));
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      fg.all!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/repository \//.test(seen)) resolve();
      });
      void fg.then(() => reject(new Error(`start exited: ${seen}`)));
    });
    fg.kill('SIGTERM');
    seen += (await fg).all ?? '';
    expect(seen).toContain(`http://${host}/anthropic`);
    expect(seen).not.toMatch(secrets);

    // `npm start` (scripts/start.mjs) prints the same table on the terminal.
    const zx = await execa(
      join(ROOT, 'node_modules', '.bin', 'zx'),
      [join(ROOT, 'scripts', 'start.mjs'), '--repo', repo, '--config', file, '--no-hooks', '--', 'sh', '-c', 'echo ran'],
      { env, reject: false, all: true },
    );
    expect(zx.all).toContain('ran');
    expect(zx.all).toContain(`http://${host}/anthropic`);
    expect(zx.all).not.toMatch(secrets);
  });
});

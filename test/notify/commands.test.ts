// on_switch commands: FALLBACK_* environment, run in the repository, output captured, process group killed at the timeout.

import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, summarizeCommand, switchEnv } from '../../proxy/notify/commands.ts';
import { createNotifier } from '../../proxy/notify/index.ts';
import { EXTERNAL, SWITCH, notifyConfig } from './events.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify-cmd-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Running, not merely a zombie (an init that does not reap can leave killed orphans as zombies). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z /.test(stat);
}

describe('on_switch commands', () => {
  it('run in the repository with FALLBACK_FROM/TO/REASON/COMMIT set from the switch', async () => {
    const lines: string[] = [];
    const notifier = createNotifier(notifyConfig({ onSwitch: ['env | grep ^FALLBACK_ | sort > env.txt; pwd > pwd.txt'] }), {
      repo: dir,
      log: (l) => lines.push(l),
    });
    notifier.notify(SWITCH);
    await notifier.drain();
    expect(readFileSync(join(dir, 'env.txt'), 'utf8')).toBe(
      `FALLBACK_COMMIT=${SWITCH.commit}\nFALLBACK_FROM=claude\nFALLBACK_REASON=rate_limit\nFALLBACK_TO=gemini-flash\n`,
    );
    expect(readFileSync(join(dir, 'pwd.txt'), 'utf8').trim()).toBe(dir);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^notify on_switch\[0\]: exit 0 in \d+ms \(0 bytes of output\)$/);
  });

  it('run for a POST /webhook event too, with its model and event type', () => {
    expect(switchEnv(EXTERNAL)).toEqual({
      FALLBACK_FROM: '',
      FALLBACK_TO: 'deepseek',
      FALLBACK_REASON: 'external',
      FALLBACK_COMMIT: '',
      FALLBACK_EVENT_TYPE: 'monitor_alert @everyone',
    });
    expect(switchEnv({ ...SWITCH, commit: null }).FALLBACK_COMMIT).toBe('');
  });

  it('kill the whole process group of a command that hangs, at the timeout', async () => {
    const pidFile = join(dir, 'bg.pid');
    const started = Date.now();
    const r = await runCommand(`sleep 30 & echo $! > ${pidFile}; echo started; wait`, {
      cwd: dir,
      env: process.env,
      timeoutMs: 400,
      killGraceMs: 200,
    });
    const took = Date.now() - started;
    expect(r.timedOut).toBe(true);
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(3_000);
    const bg = Number(readFileSync(pidFile, 'utf8'));
    // The background `sleep` (a grandchild) died with the group, not only the shell.
    await new Promise((res) => setTimeout(res, 100));
    expect(alive(bg)).toBe(false);
    expect(summarizeCommand('on_switch[1]', r)).toMatch(
      /^notify on_switch\[1\]: timed out, process group killed after \d+ms \(8 bytes of output; last output: "started"\)$/,
    );
  });

  it('capture output instead of inheriting the proxy stdout and report a failing exit with its last line', async () => {
    const r = await runCommand('echo one; echo two >&2; exit 3', { cwd: dir, env: process.env, timeoutMs: 5_000 });
    expect(r.exitCode).toBe(3);
    expect(r.outputTail).toBe('one\ntwo\n');
    expect(summarizeCommand('on_switch[0]', r)).toMatch(
      /^notify on_switch\[0\]: exit 3 in \d+ms \(8 bytes of output; last output: "two"\)$/,
    );
  });

  it('run one after another in order, also across two quick switches', async () => {
    const log = join(dir, 'order.txt');
    const notifier = createNotifier(
      notifyConfig({ onSwitch: [`echo "a $FALLBACK_TO" >> ${log}; sleep 0.2; echo "b $FALLBACK_TO" >> ${log}`] }),
      { repo: dir, log: () => {} },
    );
    notifier.notify(SWITCH);
    notifier.notify({ ...SWITCH, from: 'gemini-flash', to: 'claude', reason: 'recovered' });
    await notifier.drain();
    expect(readFileSync(log, 'utf8')).toBe('a gemini-flash\nb gemini-flash\na claude\nb claude\n');
  });

  it('report a shell that cannot start (missing directory) as one log line', async () => {
    const missing = join(dir, 'gone');
    const lines: string[] = [];
    const notifier = createNotifier(notifyConfig({ onSwitch: ['true'] }), { repo: missing, log: (l) => lines.push(l) });
    notifier.notify(SWITCH);
    await notifier.drain();
    expect(existsSync(missing)).toBe(false);
    expect(lines).toEqual(['notify on_switch[0]: could not start (ENOENT)']);
  });
});

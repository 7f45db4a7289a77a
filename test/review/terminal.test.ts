// On a terminal (a pty from `script`): --show goes through the git pager, and colour appears unless NO_COLOR.

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT, buildFixture, removeRepo, type Fixture } from './fixture.ts';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the review with its stdout on a pseudo-terminal. */
async function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, '--import', 'tsx', SCRIPT, ...args].map(quote).join(' ');
  const r = await execa('script', ['-qec', command, '/dev/null'], { env, reject: false });
  return String(r.stdout);
}

describe('review on a terminal', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await buildFixture();
  });
  afterAll(() => removeRepo(fx.dir));

  it('--show pipes its output through the git pager', async () => {
    const out = await onTerminal(['--show', 'deepseek', '--repo', fx.dir], { GIT_PAGER: 'sed "s/^/PAGED: /"', NO_COLOR: '1' });
    expect(out).toContain(`PAGED: commit ${fx.shas.d2}`);
    expect(out).toContain('PAGED: +line2 deepseek');
  });

  it('colours a terminal, and NO_COLOR turns it off', async () => {
    const coloured = await onTerminal(['-a', '--repo', fx.dir], {});
    expect(coloured).toMatch(/\x1b\[1mmodel/);
    const plain = await onTerminal(['-a', '--repo', fx.dir], { NO_COLOR: '1' });
    expect(plain).toContain('model');
    expect(plain).not.toMatch(/\x1b\[/);
  });
});

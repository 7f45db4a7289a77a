// `npm pack` and `npm install -g <tarball>` into a temporary prefix, as a user installs it once for all
// repositories: the tarball carries the built dist/, so the installed bin runs on plain Node 20 with no tsx
// on PATH and nothing to build, and each subcommand works from there.

import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, packedInstall, type Packed } from './installed.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';

let cf: Packed;
beforeAll(async () => {
  cf = await packedInstall();
}, 600_000);

const env = cliEnv();

describe('installed from the packed tarball', () => {
  it('holds the bundle, the hooks and the sources, and no tests', () => {
    const files = execFileSync('tar', ['tzf', cf.tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/bin/claude-fallback.mjs');
    expect(files).toContain('package/dist/build.json');
    expect(files).toContain('package/hooks/prepare-commit-msg');
    expect(files).toContain('package/scripts/cli/statusline.sh');
    expect(files).toContain('package/.fallbackrc.yaml');
    expect(files.some((f) => f.startsWith('package/test/'))).toBe(false);
  });

  it('runs from its prebuilt dist on plain node, without tsx on PATH', async () => {
    const r = await execa(cf.bin, ['--version'], { env, reject: false });
    expect(r.stdout).toBe(
      `${JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version} (dist, node ${process.versions.node})`,
    );
    expect((await execa('sh', ['-c', 'command -v tsx || echo none'], { env })).stdout).toBe('none');
  });

  it('runs a command against the proxy in any repository, and the other subcommands answer there', async () => {
    const repo = await makeRepo();
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    try {
      writeFileSync(
        join(repo, '.fallbackrc.yaml'),
        JSON.stringify({
          proxy: { port: 0 },
          tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }],
          git: { auto_commit: false },
        }),
      );
      const script = `const r = await fetch(process.env.ANTHROPIC_BASE_URL + '/health'); console.log(await r.text());`;
      const start = await execa(cf.bin, ['--', process.execPath, '--input-type=module', '-e', script], { cwd: repo, env, reject: false });
      expect(start.exitCode).toBe(0);
      expect(start.stdout).toBe('{"status":"ok","active":"claude"}');
      // start installed the hooks from the installed package (in the background: wait for them): a stub
      // in .git/hooks and the package's hook copied into .git/fallback-hooks/lib.
      const hook = join(repo, '.git', 'hooks', 'prepare-commit-msg');
      const copy = join(repo, '.git', 'fallback-hooks', 'lib', 'prepare-commit-msg');
      for (let i = 0; i < 50 && !(existsOrFalse(hook) && existsOrFalse(copy)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(hook, 'utf8')).toContain('fallback-hooks/lib');
      expect(readFileSync(copy, 'utf8')).toBe(
        readFileSync(join(cf.prefix, 'lib', 'node_modules', 'claude-fallback', 'hooks', 'prepare-commit-msg'), 'utf8'),
      );

      const run = (args: string[]) => execa(cf.bin, args, { cwd: repo, env, reject: false, input: '{}' });
      expect((await run(['status'])).exitCode).toBe(3);
      expect((await run(['retry'])).exitCode).toBe(3);
      expect((await run(['stop'])).stdout).toBe(`no proxy running for ${repo}`);
      expect((await run(['statusline'])).stdout).toBe('claude-fallback: no proxy running for this repository');
      const doctor = await run(['doctor', '--offline']);
      expect(doctor.stdout).toMatch(/✓ hooks: installed in/);
      expect(doctor.exitCode).toBe(0);
      expect(JSON.parse((await run(['review', '--json'])).stdout)).toHaveProperty('rows');
      expect((await run(['hooks', 'uninstall'])).exitCode).toBe(0);
    } finally {
      await up.close();
    }
  });
});

function existsOrFalse(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

describe('installed, running its sources instead of dist/', () => {
  it("runs the proxy through the package's own tsx, on any Node (Node's type stripping refuses files under node_modules)", async () => {
    const srcEnv = { ...env, CLAUDE_FALLBACK_RUNTIME: 'sources' };
    expect((await execa(cf.bin, ['--version'], { env: srcEnv })).stdout).toContain('(tsx, node');
    const repo = await makeRepo();
    writeFileSync(
      join(repo, '.fallbackrc.yaml'),
      JSON.stringify({
        proxy: { port: 0 },
        tiers: [{ name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' }],
        git: { auto_commit: false },
      }),
    );
    const script = `const r = await fetch(process.env.ANTHROPIC_BASE_URL + '/health'); console.log(await r.text());`;
    const r = await execa(cf.bin, ['--no-hooks', '--', process.execPath, '--input-type=module', '-e', script], {
      cwd: repo,
      env: srcEnv,
      reject: false,
    });
    expect(r.stdout).toBe('{"status":"ok","active":"claude"}');
  });
});

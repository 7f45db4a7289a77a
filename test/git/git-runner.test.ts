// proxy/git/git.ts's runner on child_process keeps the contract the execa version had: input, env, exit codes, timeout.

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { GitError, git } from '../../proxy/git/git.ts';
import { makeRepo, removeRepo } from '../review/fixture.ts';

describe('git runner', () => {
  it('passes input on stdin, keeps the final newline, and never leaves stdin open without input', async () => {
    const dir = await makeRepo();
    try {
      const withInput = await git(dir, ['hash-object', '--stdin'], { input: 'hello\n' });
      expect(withInput.stdout).toBe('ce013625030ba8dba906f756967f9e9ca394464a\n'); // `echo hello | git hash-object --stdin`
      const empty = await git(dir, ['hash-object', '--stdin'], { timeoutMs: 5000 });
      expect(empty.stdout).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\n'); // the empty blob: stdin was closed
    } finally {
      removeRepo(dir);
    }
  });

  it('returns stdout as git wrote it with `bytes` (not UTF-8, no newline at the end), undecoded', async () => {
    const dir = await makeRepo();
    try {
      const content = Buffer.from([0x61, 0xff, 0xfe, 0x0a, 0x62]);
      const id = (await git(dir, ['hash-object', '-w', '--stdin'], { input: content })).stdout.trim();
      const r = await git(dir, ['cat-file', 'blob', id], { bytes: true });
      expect(r.bytes!.equals(content)).toBe(true);
      expect(r.stdout).toBe('');
      const missing = await git(dir, ['cat-file', 'blob', '0'.repeat(40)], { bytes: true, reject: false });
      expect(missing.exitCode).not.toBe(0);
    } finally {
      removeRepo(dir);
    }
  });

  it('adds env to the inherited environment', async () => {
    const dir = await makeRepo();
    try {
      const r = await git(dir, ['var', 'GIT_AUTHOR_IDENT'], { env: { GIT_AUTHOR_NAME: 'Runner Test', GIT_AUTHOR_EMAIL: 'r@example.com' } });
      expect(r.stdout).toMatch(/^Runner Test <r@example.com> \d+ [+-]\d{4}\n$/);
      expect((await git(dir, ['var', 'GIT_AUTHOR_IDENT'])).stdout).toMatch(/^Test <test@example.com>/);
    } finally {
      removeRepo(dir);
    }
  });

  it('a failure throws GitError with the exit code and stderr, or comes back with reject: false', async () => {
    const dir = await makeRepo();
    try {
      const soft = await git(dir, ['rev-parse', '--verify', 'no-such-ref'], { reject: false });
      expect(soft.exitCode).toBe(128);
      expect(soft.stderr).toContain('fatal');
      const hard = await git(dir, ['rev-parse', '--verify', 'no-such-ref']).catch((e: unknown) => e);
      expect(hard).toBeInstanceOf(GitError);
      expect((hard as GitError).exitCode).toBe(128);
      const missing = await git('/no/such/dir/at/all', ['status'], { reject: false });
      expect(missing.exitCode).not.toBe(0);
    } finally {
      removeRepo(dir);
    }
  });

  it('timeoutMs ends a git that runs too long', async () => {
    const dir = await makeRepo();
    try {
      const t0 = Date.now();
      const r = await git(dir, ['-c', 'alias.nap=!sleep 5', 'nap'], { timeoutMs: 300, reject: false });
      expect(r.exitCode).not.toBe(0);
      expect(Date.now() - t0).toBeLessThan(4000);
    } finally {
      removeRepo(dir);
    }
  });

  it('tied: passes input, output and exit status through, and a timeout ends git with everything it started', async () => {
    const dir = await makeRepo();
    try {
      expect((await git(dir, ['hash-object', '--stdin'], { input: 'hello\n', tied: true })).stdout).toBe(
        'ce013625030ba8dba906f756967f9e9ca394464a\n',
      );
      expect((await git(dir, ['rev-parse', '--verify', 'no-such-ref'], { tied: true, reject: false })).exitCode).toBe(128);
      const marker = `30.${process.pid}${Date.now() % 1_000_000}`;
      // The alias's shell starts a grandchild: a `sleep` of a duration no other process has.
      const r = await git(dir, ['-c', `alias.nap=!sleep ${marker}; :`, 'nap'], { timeoutMs: 300, reject: false, tied: true });
      expect(r.stderr).toContain('timed out after 300 ms');
      const left = () =>
        readdirSync('/proc').filter(
          (p) =>
            /^\d+$/.test(p) &&
            (() => {
              try {
                return readFileSync(`/proc/${p}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
              } catch {
                return false;
              }
            })(),
        );
      for (let i = 0; i < 40 && left().length > 0; i++) await new Promise((done) => setTimeout(done, 50));
      if (process.platform === 'linux') expect(left()).toEqual([]);
    } finally {
      removeRepo(dir);
    }
  });
});

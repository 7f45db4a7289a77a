// The WIP case (issue 22, item 7), through the real proxy with fake upstreams: a person's uncommitted `wip.txt` and
// README edit at a switch are not attributed to a model (the auto-commit leaves them out, names them as the person's,
// and its Model trailers name only the model that wrote files in it), and a later `review --rollback` of that model
// leaves the person's files and lines as they are: hunk by hunk where a commit holds both (its attribution note says
// which lines are the person's), and refused, naming the files, where both touch the same lines.

import Anthropic from '@anthropic-ai/sdk';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { writeTurns } from '../helpers/tool-writes.ts';
import { review, snapshot } from '../review/fixture.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const PERSON = { CLAUDECODE: '' };
const README = ['# Project', '', 'It does one thing.', '', '## Use', '', 'Run it.', '', '## License', '', 'MIT.'].join('\n') + '\n';

/** A proxy whose first tier (claude) answers until `limit()` is called, then 429; deepseek answers after the switch. */
async function proxy(): Promise<{ h: Harness; limit: () => void; ask: (...written: string[]) => Promise<unknown> }> {
  let limited = false;
  const claude = await startFakeUpstream(() =>
    limited
      ? { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '3600' } }
      : { kind: 'sse', text: fixture('anthropic-stream-text.sse') },
  );
  const deepseek = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: 'sk-deepseek', model: 'deepseek-v4-flash' },
    ],
    git: { auto_commit: true },
  });
  cleanup.push(
    () => claude.close(),
    () => deepseek.close(),
    () => h.close(),
  );
  const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
  const ask = (...written: string[]) =>
    client.messages
      .stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'go on' }, ...writeTurns(h.repo, written)],
      })
      .finalMessage();
  return { h, limit: () => (limited = true), ask };
}

/** The person's first commit: README.md and a .gitignore for the harness's config file. */
async function start(repo: string): Promise<void> {
  await installHooks(repo);
  writeFileSync(join(repo, '.gitignore'), '.fallbackrc.yaml\n');
  writeFileSync(join(repo, 'README.md'), README);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-qm', 'Start'], { env: PERSON });
}

const read = (repo: string, path: string) => readFileSync(join(repo, path), 'utf8');
const show = async (repo: string, rev: string) => (await git(repo, ['show', '--name-only', '--format=', rev])).stdout.trim().split('\n');
const modelsOf = async (repo: string, rev: string) =>
  (await git(repo, ['log', '-1', '--format=%(trailers:key=Model,valueonly,separator=%x2C)', rev])).stdout.trim();

type Range = { start: number; end: number; who: 'ai' | 'human' };
/** The attribution note the `attribution` track writes for a commit, in the shared format (docs/git.md). */
async function note(repo: string, commit: string, files: Record<string, Range[]>): Promise<void> {
  const out = [];
  for (const [path, ranges] of Object.entries(files)) {
    const lines = (await git(repo, ['show', `${commit}:${path}`])).stdout.split('\n');
    out.push({
      path,
      ranges: ranges.map((r) => ({
        start_line: r.start,
        end_line: r.end,
        contributor: r.who === 'ai' ? { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-5' } : { type: 'human' },
        content_hash: `sha256:${createHash('sha256')
          .update(lines.slice(r.start - 1, r.end).join('\n'))
          .digest('hex')}`,
      })),
    });
  }
  const text = JSON.stringify({ version: 'claude-fallback/1', commit, files: out }) + '\n';
  await git(repo, ['notes', '--ref=claude-fallback', 'add', '-f', '-F', '-', commit], { input: text });
}

describe("the person's work in progress at a switch", () => {
  it("is left out of the auto-commit, named as the person's; the trailers name only claude; a rollback of claude leaves it", async () => {
    const { h, limit, ask } = await proxy();
    const repo = h.repo;
    await start(repo);
    await ask();
    // Claude writes a feature; the person, meanwhile, starts wip.txt and edits the README, and commits neither.
    writeFileSync(join(repo, 'feature.ts'), 'export const feature = 1;\n');
    writeFileSync(join(repo, 'wip.txt'), 'my half-done idea\n');
    writeFileSync(join(repo, 'README.md'), README + '\nA note of mine.\n');
    limit();
    await ask('feature.ts'); // carries the result of claude's Write; claude answers 429: the switch to deepseek
    const [s] = (await h.settledEvents()).filter((e): e is SwitchEvent => e.kind === 'switch');
    expect(s).toMatchObject({ from: 'claude', to: 'deepseek' });
    expect(s.commit).toBe((await git(repo, ['rev-parse', 'HEAD'])).stdout.trim());

    expect(await show(repo, 'HEAD')).toEqual(['feature.ts']);
    expect(await modelsOf(repo, 'HEAD')).toBe('claude');
    expect((await git(repo, ['log', '-1', '--format=%B'])).stdout).toContain(
      "The person's, not committed (no model wrote them), still in the working tree:\n- README.md\n- wip.txt\n",
    );
    expect(read(repo, 'wip.txt')).toBe('my half-done idea\n');
    expect(read(repo, 'README.md')).toBe(README + '\nA note of mine.\n');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe(' M README.md\n?? wip.txt\n');
    expect(h.logs.some((l) => l.includes("auto-commit left the person's 2 files (README.md, wip.txt) uncommitted"))).toBe(true);

    // The person commits their work: no model wrote it, so the hooks stamp none.
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-qm', 'My notes'], { env: PERSON });
    expect(await modelsOf(repo, 'HEAD')).toBe('');
    const r = await review(['--rollback', 'claude', '--repo', repo, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).commits.map((c: { sha: string }) => c.sha)).toEqual([s.commit]);
    expect((await git(repo, ['ls-files'])).stdout.split('\n')).not.toContain('feature.ts');
    expect(read(repo, 'wip.txt')).toBe('my half-done idea\n');
    expect(read(repo, 'README.md')).toBe(README + '\nA note of mine.\n');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('');
  }, 60_000);

  it("goes into the auto-commit where claude wrote the same file; the rollback reverts claude's hunk and keeps the person's line", async () => {
    const { h, limit, ask } = await proxy();
    const repo = h.repo;
    await start(repo);
    await ask();
    // Claude rewrites line 3 of the README (its Write); the person adds a line at the end of the same file.
    const both = README.replace('It does one thing.', 'It does one thing, well.') + '\nA note of mine.\n';
    writeFileSync(join(repo, 'README.md'), both);
    writeFileSync(join(repo, 'feature.ts'), 'export const feature = 1;\n');
    limit();
    await ask('README.md', 'feature.ts');
    const auto = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    expect(await show(repo, auto)).toEqual(['README.md', 'feature.ts']);
    expect(await modelsOf(repo, auto)).toBe('claude');
    // The note says which of its lines are the person's (the attribution track writes it at the auto-commit).
    await note(repo, auto, {
      'README.md': [
        { start: 3, end: 3, who: 'ai' },
        { start: 12, end: 13, who: 'human' },
      ],
      'feature.ts': [{ start: 1, end: 1, who: 'ai' }],
    });

    const r = await review(['--rollback', 'claude', '--repo', repo]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kept the person's lines in:\n  README.md (${auto.slice(0, 12)})`);
    expect(read(repo, 'README.md')).toBe(README + '\nA note of mine.\n');
    expect((await git(repo, ['ls-files'])).stdout.split('\n')).not.toContain('feature.ts');
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('');
    expect((await git(repo, ['log', '-1', '--format=%B'])).stdout).toContain(
      `Kept, the person's lines in:\n- README.md (${auto.slice(0, 12)})\n`,
    );
  }, 60_000);

  it("is refused, naming the file and changing nothing, where the person's and claude's edits touch the same lines", async () => {
    const { h, limit, ask } = await proxy();
    const repo = h.repo;
    await start(repo);
    await ask();
    // Claude rewrites line 3; the person rewrites line 4 right below it: one hunk.
    const both = README.replace('It does one thing.\n\n', 'It does one thing, well.\nMine, right below.\n');
    writeFileSync(join(repo, 'README.md'), both);
    writeFileSync(join(repo, 'feature.ts'), 'export const feature = 1;\n');
    limit();
    await ask('README.md', 'feature.ts');
    const auto = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    await note(repo, auto, {
      'README.md': [
        { start: 3, end: 3, who: 'ai' },
        { start: 4, end: 4, who: 'human' },
      ],
      'feature.ts': [{ start: 1, end: 1, who: 'ai' }],
    });
    await h.settledEvents();
    const before = await snapshot(repo);

    const dry = await review(['--rollback', 'claude', '--dry-run', '--repo', repo]);
    expect(dry.exitCode).toBe(4);
    const r = await review(['--rollback', 'claude', '--repo', repo, '--json']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr + r.stdout).toContain(`a person's lines and a model's are in the same hunk in README.md (${auto.slice(0, 12)})`);
    expect(await snapshot(repo)).toEqual(before);
    expect(read(repo, 'README.md')).toBe(both);
  }, 60_000);
});

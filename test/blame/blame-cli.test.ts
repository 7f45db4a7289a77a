// `claude-fallback blame`, `review --blame`, `review --lines` and `trace` as a user runs them (the installed bin),
// on a real repository whose commits carry attribution notes in the shared format: a file whose top half Claude
// wrote, whose bottom half Gemini wrote, with a line DeepSeek changed through Bash (`mixed`) and one the person
// changed. Every line must be attributed to the commit and the writer that put it there.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, installFromClone, packedInstall, type Installed } from '../cli/installed.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { git } from '../../proxy/git/git.ts';
import { commitAll, writeNote, type Who } from './notes-helper.ts';

const CLAUDE: Who = { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-5' };
const GEMINI: Who = { type: 'ai', tier: 'gemini-flash', model_id: 'google/gemini-2.5-flash' };
const DEEPSEEK: Who = { type: 'mixed', tier: 'deepseek', model_id: 'deepseek/deepseek-v4-flash' };

let cf: Installed;
let repo: string;
const shas: Record<string, string> = {};
const env = cliEnv();
const run = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  execa(cf.bin, args, { cwd: opts.cwd ?? repo, env: opts.env ?? env, reject: false });

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';

/** The expected writer of each line of app.ts at HEAD. */
function expected(line: number): string {
  if (line === 5) return 'person';
  if (line <= 15) return 'claude';
  if (line === 20) return 'deepseek+person';
  return 'gemini-flash';
}

beforeAll(async () => {
  cf = installFromClone();
  repo = await makeRepo('cf-blame-');
  // Claude's commit: lines 1-15, and a README of the person's in the same commit (lines no range covers).
  writeFileSync(
    join(repo, 'app.ts'),
    lines(15, (i) => `const top${i} = ${i};`),
  );
  writeFileSync(join(repo, 'README.md'), 'by the person\n');
  shas.claude = await commitAll(repo, 'top half');
  await writeNote(repo, shas.claude, { 'app.ts': [[1, 15, CLAUDE]] });
  // Gemini's commit: lines 16-30.
  writeFileSync(join(repo, 'app.ts'), lines(15, (i) => `const top${i} = ${i};`) + lines(15, (i) => `const bottom${i} = ${i};`));
  shas.gemini = await commitAll(repo, 'bottom half');
  await writeNote(repo, shas.gemini, { 'app.ts': [[16, 30, GEMINI]] });
  // DeepSeek's `sed -i` on line 20, with the person's editor open: mixed.
  await execa('sed', ['-i', '20s/.*/const bottom5 = 500; \\/\\/ sed/', 'app.ts'], { cwd: repo });
  shas.deepseek = await commitAll(repo, 'sed');
  await writeNote(repo, shas.deepseek, { 'app.ts': [[20, 20, DEEPSEEK]] });
  // The person's commit: line 5, no note.
  await execa('sed', ['-i', '5s/.*/const top5 = 55; \\/\\/ person/', 'app.ts'], { cwd: repo });
  shas.person = await commitAll(repo, 'person fixes line 5');
}, 180_000);

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

type JsonBlame = {
  file: string;
  lines: { line: number; commit: string; orig_line: number; contributor: { type: string; tier?: string; model_id?: string } }[];
  summary: { who: string; lines: number }[];
};
const who = (c: { type: string; tier?: string }) => (c.type === 'human' ? 'person' : c.type === 'mixed' ? `${c.tier}+person` : c.tier);

describe('claude-fallback blame', () => {
  it('names the writer of every line from the note of the commit that added it (--json)', async () => {
    const r = await run(['blame', '--json', 'app.ts']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const b = JSON.parse(r.stdout) as JsonBlame;
    expect(b.lines).toHaveLength(30);
    for (const l of b.lines) expect(`${l.line} ${who(l.contributor)}`).toBe(`${l.line} ${expected(l.line)}`);
    expect(b.lines[0].commit).toBe(shas.claude);
    expect(b.lines[4].commit).toBe(shas.person);
    expect(b.lines[19]).toMatchObject({ commit: shas.deepseek, orig_line: 20, contributor: DEEPSEEK });
    expect(b.lines[29]).toMatchObject({ commit: shas.gemini, orig_line: 30, contributor: GEMINI });
    expect(Object.fromEntries(b.summary.map((s) => [s.who, s.lines]))).toEqual({
      claude: 14,
      person: 1,
      'gemini-flash': 14,
      'deepseek+person': 1,
    });
  });

  it('a file no note speaks of is the person’s; a line not committed yet says so', async () => {
    writeFileSync(join(repo, 'README.md'), 'by the person\nnot committed\n');
    try {
      const b = JSON.parse((await run(['blame', '--json', 'README.md'])).stdout) as JsonBlame;
      expect(b.lines.map((l) => l.contributor.type)).toEqual(['human', 'uncommitted']);
    } finally {
      await git(repo, ['checkout', '--', 'README.md']);
    }
  });

  it('prints git blame’s short form with the writer, no colour off a terminal, and with --rev an older state', async () => {
    const r = await run(['blame', 'app.ts']);
    expect(r.exitCode).toBe(0);
    const out = r.stdout.split('\n').filter(Boolean);
    expect(out).toHaveLength(30);
    expect(out[4]).toBe(`${shas.person.slice(0, 8)} person           5) const top5 = 55; // person`);
    expect(out[19]).toMatch(new RegExp(`^${shas.deepseek.slice(0, 8)} deepseek\\+person +20\\) const bottom5 = 500; // sed$`));
    expect(r.stdout).not.toMatch(/\x1b\[/);
    const old = JSON.parse((await run(['blame', '--json', '--rev', shas.gemini, 'app.ts'])).stdout) as JsonBlame;
    expect(old.lines.map((l) => who(l.contributor))).toEqual([...Array(15).fill('claude'), ...Array(15).fill('gemini-flash')]);
  });

  it('colours each model as the dashboard does on a terminal, and not with NO_COLOR', async () => {
    // A real terminal: util-linux script(1) gives the bin a pty.
    const tty = (noColor: string) =>
      execa('script', ['-qec', `${cf.bin} blame app.ts`, '/dev/null'], {
        cwd: repo,
        env: { ...env, NO_COLOR: noColor, COLORTERM: 'truecolor', TERM: 'xterm-256color' },
        reject: false,
      });
    const colored = (await tty('')).stdout;
    // claude is the first tier of the default config, slot 0: #0072b2 = rgb(0,114,178); gemini-flash slot 1 #e69f00.
    expect(colored).toContain('\x1b[38;2;0;114;178mclaude');
    expect(colored).toContain('\x1b[38;2;230;159;0mgemini-flash');
    expect((await tty('1')).stdout).not.toMatch(/\x1b\[38/);
  });

  it('refuses a path git does not know, and no FILE, with a clear error', async () => {
    const missing = await run(['blame', 'nope.ts']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^claude-fallback blame: nope\.ts: fatal: .*nope\.ts/);
    const none = await run(['blame']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('usage: claude-fallback blame');
  });
});

describe('the new subcommands', () => {
  it('each answers -h with its usage, and the main help lists them', async () => {
    for (const sub of ['blame', 'trace', 'push-notes', 'fetch-notes']) {
      const r = await run([sub, '-h']);
      expect(r.exitCode, sub).toBe(0);
      expect(r.stdout, sub).toMatch(new RegExp(`^usage: claude-fallback ${sub}`));
    }
    const help = (await run(['-h'])).stdout;
    for (const sub of ['blame FILE', 'trace [REV]', 'push-notes [REMOTE]', 'fetch-notes [REMOTE]']) expect(help).toContain(sub);
    expect((await run(['review', '-h'])).stdout).toContain('--blame <file>');
  });
});

describe('review --blame and --lines', () => {
  it('review --blame gives the same lines as blame', async () => {
    const a = JSON.parse((await run(['blame', '--json', 'app.ts'])).stdout) as JsonBlame;
    const r = await run(['review', '--blame', 'app.ts', '--json']);
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(r.stdout) as JsonBlame).lines).toEqual(a.lines);
  });

  it('review --lines counts what each model wrote that lasted at HEAD', async () => {
    const r = await run(['review', '--lines', '--json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as {
      files: number;
      notes: number;
      rows: { who: string; lines: number; files: number }[];
      total: number;
    };
    expect(report).toMatchObject({ files: 1, notes: 3, total: 30 });
    // In the config's tier order (the project's default config: claude, gemini-flash, deepseek…), the person last.
    expect(report.rows.map((x) => [x.who, x.lines])).toEqual([
      ['claude', 14],
      ['gemini-flash', 14],
      ['deepseek+person', 1],
      ['person', 1],
    ]);
    const text = (await run(['review', '--lines'])).stdout;
    expect(text).toMatch(/^claude +14 +46\.7% +1$/m);
    expect(text).toMatch(/^total +30 +100\.0% +1$/m);
  });
});

describe('claude-fallback trace --format agent-trace', () => {
  it('exports one Agent Trace v0.1 record per noted commit of a range, oldest first', async () => {
    const r = await run(['trace', '--format', 'agent-trace', `${shas.claude}~0..HEAD`]);
    expect(r.exitCode).toBe(0);
    // The range excludes its start: the gemini and deepseek commits have notes, the person's none.
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => x.vcs)).toEqual([
      { type: 'git', revision: shas.gemini },
      { type: 'git', revision: shas.deepseek },
    ]);
    const rec = records[1];
    // The fields of TraceRecordSchema (cursor/agent-trace schemas.ts), checked here, not by the code under test.
    expect(rec.version).toMatch(/^[0-9]+\.[0-9]+$/);
    expect(rec.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Date(rec.timestamp).toISOString()).toBe(rec.timestamp);
    expect(rec.tool).toEqual({ name: 'claude-fallback', version: expect.any(String) });
    expect(rec.files).toEqual([
      {
        path: 'app.ts',
        conversations: [
          {
            contributor: { type: 'mixed', model_id: 'deepseek/deepseek-v4-flash' },
            ranges: [
              {
                start_line: 20,
                end_line: 20,
                content_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
                contributor: { type: 'mixed', model_id: 'deepseek/deepseek-v4-flash' },
              },
            ],
          },
        ],
      },
    ]);
    // The same commit exports the same id.
    const again = JSON.parse((await run(['trace', shas.deepseek])).stdout);
    expect(again.id).toBe(rec.id);
  });

  it('a commit without a note has no record, and says so on stderr', async () => {
    const r = await run(['trace', 'HEAD']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no attribution note on HEAD');
    expect((await run(['trace', '--format', 'csv'])).exitCode).toBe(2);
  });
});

describe('from the packed tarball (npm pack, npm install -g: the bundle in dist/)', () => {
  it('blame and trace give what they give from the clone', async () => {
    const packed = await packedInstall();
    const fromTarball = (args: string[]) => execa(packed.bin, args, { cwd: repo, env, reject: false });
    const b = await fromTarball(['blame', '--json', 'app.ts']);
    expect(b.stderr).toBe('');
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse((await run(['blame', '--json', 'app.ts'])).stdout));
    const t = await fromTarball(['trace', shas.deepseek]);
    expect(JSON.parse(t.stdout)).toEqual(JSON.parse((await run(['trace', shas.deepseek])).stdout));
  }, 300_000);
});

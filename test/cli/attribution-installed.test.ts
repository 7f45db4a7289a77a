// Line attribution as a user gets it, from `claude-fallback` installed from this clone (`npm install -g .`) and from
// the packed tarball in a temporary prefix (the files npm ships): `claude-fallback --config … -- claude -p …` with
// the real Claude Code CLI in a new repository, tier 0 a strict Anthropic fake whose model Writes a file and then
// answers 429, tier 1 a strict DeepSeek fake whose model Edits it; then a person changes one line and commits with
// `git commit -a` through the hooks the CLI installed. The installed `blame --json` names claude, deepseek and the
// person on the right lines, the commits carry notes under refs/notes/claude-fallback, and no tracked file was
// touched by the tool. The same scenario through the source harness: test/attribution/claude-code-attribution.test.ts.

import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, installFromClone, packedInstall, type Installed } from './installed.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { claudeBin, claudeCodeEnv } from '../helpers/claude-code.ts';
import { signThinking, startStrictAnthropic, type StrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startFakeDeepSeek, type DeepSeekBody } from '../helpers/fake-deepseek-anthropic.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import { stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import type { FakeUpstream } from '../helpers/fake-upstream.ts';

const fakes: FakeUpstream[] = [];
const repos: string[] = [];
const dirs: string[] = [];
afterEach(async () => {
  stopAllTrees();
  while (fakes.length) await fakes.pop()!.close();
});
afterAll(async () => {
  // The proxy, Claude Code and the detached note writer are all gone once the session and the commit are done.
  expect(await waitForNoLeftovers(repos), 'processes left running in the test repositories').toEqual([]);
  for (const d of [...repos, ...dirs]) rmSync(d, { recursive: true, force: true });
});

type Body = { tools?: unknown[]; messages?: { content: unknown }[] };
const offersTools = (b: Body) => (b.tools?.length ?? 0) > 0;
const resultsIn = (b: Body) =>
  (b.messages ?? []).flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((x: { type?: string }) => x.type === 'tool_result')
    .length;

const installs: [string, () => Promise<Installed> | Installed][] = [
  ['the clone (npm install -g .)', installFromClone],
  ['the packed tarball', packedInstall],
];

for (const [from, install] of installs)
  describe(`line attribution by claude-fallback installed from ${from}`, () => {
    let cf: Installed;
    let claude: string;
    beforeAll(async () => {
      claude = claudeBin();
      cf = await install();
    }, 600_000);

    it("notes Claude's Write, the fallback's Edit and the person's line, and blame --json names each", async () => {
      const repo = await makeRepo();
      repos.push(repo);
      const file = 'src/app.ts';
      const path = join(repo, file);
      writeFileSync(join(repo, 'README.md'), '# app\n');
      await execa('git', ['add', '-A'], { cwd: repo });
      await execa('git', ['commit', '-q', '-m', 'Start'], { cwd: repo });
      mkdirSync(join(repo, 'src'));

      // Tier 0: Claude writes the file, then is rate limited (429 rate_limit_error with retry-after, the fixture
      // of https://docs.anthropic.com/en/api/errors) for every later request.
      let strict: StrictAnthropic | undefined;
      // The fakes answer at once: Claude Code may run the Write before the proxy has read the tree of the request
      // that asked for it (off the request's path); the tool_call lines still name the model (docs/git.md).
      strict = await startStrictAnthropic({
        retryAfter: '3600',
        answer: (body, thinking) => {
          const b = body as Body;
          if (!offersTools(b)) return anthropicSSE({ text: 'A title' }, { model: String(body.model) }).sse;
          strict!.limited = true;
          const think = 'Write the file as asked.';
          return anthropicSSE(
            {
              ...(thinking ? { thinking: think } : {}),
              calls: [{ name: 'Write', input: { file_path: path, content: 'a1\na2\na3\na4\n' } }],
            },
            { model: String(body.model), signature: thinking ? signThinking(think) : undefined },
          ).sse;
        },
      });
      // Tier 1: DeepSeek adds the bottom half with Edit, then says it is done.
      const deepseek = await startFakeDeepSeek({
        key: 'sk-deepseek-test',
        reply: (body: DeepSeekBody) => {
          const b = body as Body;
          if (!offersTools(b)) return { text: 'A title' };
          if (resultsIn(b) === 1)
            return { calls: [{ name: 'Edit', input: { file_path: path, old_string: 'a4\n', new_string: 'a4\nb1\nb2\nb3\n' } }] };
          return { text: 'Done.' };
        },
      });
      fakes.push(strict, deepseek);

      // The user's own config (trusted), outside the repository.
      const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cf-attr-')));
      dirs.push(dir);
      const config = join(dir, 'fallbackrc.yaml');
      writeFileSync(
        config,
        JSON.stringify({
          proxy: { host: '127.0.0.1', port: 0 },
          tiers: [
            { name: 'claude', protocol: 'anthropic', base_url: strict.url },
            {
              name: 'deepseek',
              protocol: 'anthropic',
              base_url: deepseek.url,
              api_key: 'sk-deepseek-test',
              vendor: 'deepseek',
              model: 'deepseek-v4-flash',
            },
          ],
          fallback: { max_wait: '0s' },
          git: { auto_commit: true },
          notify: { webhooks: [] },
        }),
      );
      const home = join(dir, 'home');
      mkdirSync(home);
      const env = cliEnv({
        ...claudeCodeEnv(home),
        PATH: `${dirname(claude)}:${cliEnv().PATH}`,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        CLAUDECODE: '',
      });

      const session = await execa(
        cf.bin,
        ['--config', config, '--', 'claude', '-p', `Write ${file}`, '--allowedTools', 'Write', 'Edit', 'Read'],
        { cwd: repo, env, stdin: 'ignore', reject: false, timeout: 180_000, all: true },
      );
      expect(session.exitCode, session.all).toBe(0);
      expect(readFileSync(path, 'utf8')).toBe('a1\na2\na3\na4\nb1\nb2\nb3\n');
      expect(
        strict.verdicts.filter((v) => v.status === 400),
        'requests Anthropic would refuse',
      ).toEqual([]);
      expect(
        deepseek.verdicts.filter((v) => v.status !== 200),
        'requests DeepSeek would refuse',
      ).toEqual([]);
      const auto = (await execa('git', ['log', '--format=%H', '--grep=^Auto-commit before switch to deepseek'], { cwd: repo, env })).stdout;
      expect(auto, "the switch auto-committed Claude's write").toMatch(/^[0-9a-f]{40}$/);

      // The person finishes a line and commits through the hooks the CLI installed.
      writeFileSync(path, readFileSync(path, 'utf8').replace('b3', 'b3 // the person'));
      const commit = await execa('git', ['commit', '-q', '-a', '-m', 'Finish the app'], { cwd: repo, env, reject: false, all: true });
      expect(commit.exitCode, commit.all).toBe(0);
      expect(commit.all, 'the hooks warn of nothing').toBe('');
      // The hooks start the installed package's note writer, with the node that installed them.
      const launcher = readFileSync(join(repo, '.git', 'fallback-hooks', 'lib', 'attribution-env.sh'), 'utf8');
      const writer = realpathSync(join(cf.prefix, 'lib', 'node_modules', 'claude-fallback', 'scripts', 'attribution-note.mjs'));
      expect(launcher).toContain(`fb_attr='${writer}'`);
      expect(launcher).toMatch(/^fb_node='\/.+'$/m);

      const blame = await execa(cf.bin, ['blame', file, '--json'], { cwd: repo, env, reject: false });
      expect(blame.exitCode, blame.stderr).toBe(0);
      const lines = (JSON.parse(blame.stdout) as { lines: { line: number; contributor: Record<string, unknown>; content: string }[] })
        .lines;
      const tierOf = (c: Record<string, unknown>) => (c.type === 'ai' ? c.tier : c.type);
      const why = async () => {
        const n = await execa('git', ['notes', '--ref=claude-fallback', 'show', auto], { cwd: repo, env, reject: false });
        const log = await execa(
          'sh',
          ['-c', 'ls -la .git/fallback-notes .git/fallback-notes/*; cat .git/fallback-notes/log; cat .git/*.log; ls .git'],
          { cwd: repo, reject: false },
        );
        return `auto note: ${n.stdout}${n.stderr}\n${log.stdout}${log.stderr}\nsession: ${session.all}`;
      };
      expect(
        lines.map((l) => [l.line, tierOf(l.contributor), l.content]),
        await why(),
      ).toEqual([
        [1, 'claude', 'a1'],
        [2, 'claude', 'a2'],
        [3, 'claude', 'a3'],
        [4, 'claude', 'a4'],
        [5, 'deepseek', 'b1'],
        [6, 'deepseek', 'b2'],
        [7, 'human', 'b3 // the person'],
      ]);
      expect(lines[0].contributor.model_id).toMatch(/^anthropic\/claude-/);
      expect(lines[4].contributor.model_id).toBe('deepseek/deepseek-v4-flash');

      for (const rev of [auto, 'HEAD']) {
        const note = await execa('git', ['notes', '--ref=claude-fallback', 'show', rev], { cwd: repo, env, reject: false });
        expect(note.exitCode, `the note of ${rev}: ${note.stderr}`).toBe(0);
        expect(note.stdout).toContain(file);
      }
      // Nothing the tool did shows as a change to a tracked file.
      expect((await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, env })).stdout).toBe('');
    }, 400_000);
  });

// The end-to-end case with the real Claude Code CLI through the proxy: tier 0 (`claude`, a fake Anthropic
// upstream) writes the top half of a file with Write, then runs into its rate limit; the switch auto-commits; tier 1
// (`deepseek`) adds the bottom half with Edit and changes one line with `sed -i` through Bash; a person changes one
// line and commits. The notes say exactly which lines each wrote. The fakes answer after a model-like pause: the
// proxy's snapshot of a request boundary is taken while the answer is on its way.

import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { readAttribution } from '../../proxy/attribution/read.ts';
import { notesSettled } from '../../proxy/attribution/auto-commit-note.ts';
import { git } from '../../proxy/git/git.ts';
import { startFakeUpstream, type RecordedRequest } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { claudeBin, claudeCodeEnv } from '../helpers/claude-code.ts';
import { tempDir } from '../hooks/repo.ts';
import { anthropicSse } from '../helpers/anthropic-sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
function resultsIn(req: RecordedRequest): number {
  const body = req.json as { messages?: { content: unknown }[] } | null;
  return (body?.messages ?? [])
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b: { type?: string }) => b.type === 'tool_result').length;
}
const offersTools = (req: RecordedRequest) => ((req.json as { tools?: unknown[] } | null)?.tools?.length ?? 0) > 0;

describe('with the real Claude Code CLI', () => {
  it("attributes tier 0's Write, tier 1's Edit and sed -i, and the person's line, across a switch", async () => {
    let repo = '';
    const file = 'src/app.ts';
    const claude = await startFakeUpstream(async (req) => {
      if (!offersTools(req)) return { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'A title' }]) };
      if (resultsIn(req) > 0)
        // Anthropic's rate limit error (https://docs.anthropic.com/en/api/errors).
        return { kind: 'json', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited' } } };
      await pause(1000);
      return {
        kind: 'sse',
        text: anthropicSse([
          { type: 'tool_use', id: 'toolu_01Top', name: 'Write', input: { file_path: join(repo, file), content: 'a1\na2\na3\na4\n' } },
        ]),
      };
    });
    const deepseek = await startFakeUpstream(async (req) => {
      if (!offersTools(req)) return { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'A title' }]) };
      await pause(1000);
      const step = [
        undefined,
        [
          {
            type: 'tool_use' as const,
            id: 'toolu_01Bottom',
            name: 'Edit',
            input: { file_path: join(repo, file), old_string: 'a4\n', new_string: 'a4\nb1\nb2\nb3\n' },
          },
        ],
        [
          {
            type: 'tool_use' as const,
            id: 'toolu_01Sed',
            name: 'Bash',
            input: { command: `sed -i 's/b2/B2/' ${file}`, description: 'Fix b2' },
          },
        ],
      ][resultsIn(req)];
      return { kind: 'sse', text: anthropicSse(step ?? [{ type: 'text', text: 'Done.' }]) };
    });
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        {
          name: 'deepseek',
          protocol: 'anthropic',
          base_url: deepseek.url,
          api_key: 'sk-ds-test',
          vendor: 'deepseek',
          model: 'deepseek-v4-flash',
        },
      ],
      git: { auto_commit: true },
    });
    cleanup.push(
      () => claude.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    repo = h.repo;
    writeFileSync(join(repo, '.gitignore'), '.fallbackrc.yaml\n');
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'Ignore the local config']);
    await installHooks(repo, { tagPrefix: 'model-' });
    mkdirSync(join(repo, 'src'));

    const r = await execa(claudeBin(), ['-p', 'Write src/app.ts', '--allowedTools', 'Write', 'Edit', 'Read', 'Bash(sed:*)'], {
      cwd: repo,
      extendEnv: false,
      env: claudeCodeEnv(tempDir('home'), { ANTHROPIC_BASE_URL: h.url, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }),
      stdin: 'ignore',
      reject: false,
      timeout: 150_000,
    });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(join(repo, file), 'utf8')).toBe('a1\na2\na3\na4\nb1\nB2\nb3\n');
    await h.proxy.ledger.flushed();
    await notesSettled();
    const auto = (await git(repo, ['log', '--format=%H', '--grep=^Auto-commit before switch to deepseek'])).stdout.trim();
    expect(auto).toMatch(/^[0-9a-f]{40}$/);

    writeFileSync(join(repo, file), readFileSync(join(repo, file), 'utf8').replace('b3', 'b3 // the person'));
    await execa('git', ['commit', '-q', '-a', '-m', 'Finish the app'], { cwd: repo, env: { CLAUDECODE: '' } });
    const shape = (n: Awaited<ReturnType<typeof readAttribution>>) =>
      n?.files.map((f) => [f.path, f.ranges.map((x) => [x.start_line, x.end_line, x.contributor])]);
    // model_id: the model Claude Code asked for, on an Anthropic tier.
    expect(shape(await readAttribution(repo, auto))).toEqual([
      [file, [[1, 4, { type: 'ai', tier: 'claude', model_id: expect.stringMatching(/^anthropic\/claude-/) }]]],
    ]);
    expect(shape(await readAttribution(repo, 'HEAD', { waitMs: 60_000 }))).toEqual([
      [
        file,
        [
          [5, 6, { type: 'ai', tier: 'deepseek', model_id: 'deepseek/deepseek-v4-flash' }],
          [7, 7, { type: 'human' }],
        ],
      ],
    ]);
  }, 200_000);
});

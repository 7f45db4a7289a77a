// Line attribution end to end through the real proxy: two fake Anthropic upstreams (tier 0 `claude` answers one
// Write then runs into its rate limit; tier 1 `deepseek` answers an Edit and a Bash `sed -i`), the official SDK as
// Claude Code, the tools applied by the test as Claude Code would, a person's one-line edit, a commit with the
// hooks installed. The notes of the auto-commit at the switch and of the person's commit say who wrote each line.

import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { appendFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { readAttribution } from '../../proxy/attribution/read.ts';
import { notesSettled } from '../../proxy/attribution/auto-commit-note.ts';
import { git } from '../../proxy/git/git.ts';
import type { SnapshotEvent } from '../../proxy/git/ledger.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { anthropicSse } from '../helpers/anthropic-sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Block = Record<string, unknown>;
const RATE_LIMITED = {
  kind: 'json' as const,
  status: 429,
  // Anthropic's rate limit error (https://docs.anthropic.com/en/api/errors): 429, type rate_limit_error.
  body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } },
};

describe('line attribution through the proxy', () => {
  it("names the tier that wrote each line: tier 0's Write, tier 1's Edit and sed -i, the person's one-line edit", async () => {
    const file = 'src/app.ts';
    let calls0 = 0;
    const claude = await startFakeUpstream(() => {
      calls0++;
      if (calls0 === 1)
        return {
          kind: 'sse',
          text: anthropicSse([{ type: 'tool_use', id: 'toolu_w1', name: 'Write', input: { file_path: '', content: '' } }]),
        };
      return RATE_LIMITED;
    });
    let calls1 = 0;
    const deepseek = await startFakeUpstream(() => {
      calls1++;
      if (calls1 === 1)
        return {
          kind: 'sse',
          text: anthropicSse([
            { type: 'tool_use', id: 'toolu_e1', name: 'Edit', input: { file_path: '', old_string: 'a4', new_string: 'a4\nb1\nb2\nb3' } },
          ]),
        };
      if (calls1 === 2)
        return {
          kind: 'sse',
          text: anthropicSse([{ type: 'tool_use', id: 'toolu_b1', name: 'Bash', input: { command: `sed -i 's/b2/B2/' ${file}` } }]),
        };
      return { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'Done.' }]) };
    });
    cleanup.push(
      () => claude.close(),
      () => deepseek.close(),
    );
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url, api_key: 'sk-ant-test' },
        {
          name: 'deepseek',
          protocol: 'anthropic',
          base_url: deepseek.url,
          api_key: 'sk-ds-test',
          model: 'deepseek-v4-flash',
          vendor: 'deepseek',
        },
      ],
      git: { auto_commit: true },
    });
    cleanup.push(() => h.close());
    const repo = h.repo;
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'initial']);
    await installHooks(repo, { tagPrefix: 'model-' });
    mkdirSync(join(repo, 'src'));
    const abs = join(repo, file);

    const client = new Anthropic({ baseURL: h.url, apiKey: 'sk-client', defaultHeaders: { 'x-claude-code-session-id': 'session-1' } });
    const tools = [{ name: 'Write', description: 'w', input_schema: { type: 'object' as const, properties: {} } }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Write the app' }];
    // One turn as Claude Code makes it: the answer's tool calls carry the real path, the result goes back.
    async function turn(apply: (input: Record<string, unknown>) => Promise<void> | void): Promise<Anthropic.Message> {
      const answer = await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages, tools }).finalMessage();
      const use = answer.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      const content = answer.content.map((b) =>
        b.type === 'tool_use' && 'file_path' in (b.input as Block) ? { ...b, input: { ...(b.input as Block), file_path: abs } } : b,
      );
      messages.push({ role: 'assistant', content: content as Anthropic.ContentBlockParam[] });
      // A model's answer takes far longer than the snapshot the request started (a fake's is instant): wait for it.
      await h.proxy.ledger.flushed();
      if (use) {
        await apply(content.find((b) => b.type === 'tool_use')!.input as Record<string, unknown>);
        messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'ok' }] });
      }
      return answer;
    }

    // Tier 0 writes the top half.
    await turn(() => writeFileSync(abs, 'a1\na2\na3\na4\n'));
    // Its result goes back; tier 0 is rate limited: the switch auto-commits, tier 1 edits the bottom half.
    await turn((input) => writeFileSync(abs, readFileSync(abs, 'utf8').replace(input.old_string as string, input.new_string as string)));
    // Tier 1 runs sed -i through Bash.
    await turn(async (input) => void (await execa('sh', ['-c', input.command as string], { cwd: repo })));
    const last = await turn(() => {});
    expect(last.content).toEqual([expect.objectContaining({ type: 'text', text: 'Done.' })]);
    await h.proxy.ledger.flushed();
    await notesSettled();

    // The auto-commit at the switch: tier 0's four lines.
    const auto = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    expect((await git(repo, ['log', '-1', '--format=%s'])).stdout).toMatch(/^Auto-commit before switch to deepseek/);
    const autoNote = await readAttribution(repo, auto);
    expect(autoNote?.files.map((f) => [f.path, f.ranges.map((r) => [r.start_line, r.end_line, r.contributor])])).toEqual([
      [file, [[1, 4, { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-5' }]]],
    ]);

    // The person changes one line and commits.
    writeFileSync(abs, readFileSync(abs, 'utf8').replace('b3', 'b3 // checked by hand'));
    await execa('git', ['commit', '-q', '-a', '-m', 'Finish the app'], { cwd: repo, env: { CLAUDECODE: '' } });
    const note = await readAttribution(repo, 'HEAD', { waitMs: 60_000 });
    const deepseekAi = { type: 'ai', tier: 'deepseek', model_id: 'deepseek/deepseek-v4-flash' };
    expect(readFileSync(abs, 'utf8')).toBe('a1\na2\na3\na4\nb1\nB2\nb3 // checked by hand\n');
    expect(note?.files.map((f) => [f.path, f.ranges.map((r) => [r.start_line, r.end_line, r.contributor])])).toEqual([
      [
        file,
        [
          [5, 6, deepseekAi],
          [7, 7, { type: 'human' }],
        ],
      ],
    ]);
    // The snapshots that told it: tier 1's Edit, then its Bash command (hashed, the file it named).
    const snaps = (await h.settledEvents()).filter((e): e is SnapshotEvent => e.kind === 'snapshot' && e.head === auto);
    expect(snaps.map((s) => [s.session, s.answer?.tier, s.answer?.tools.map((t) => t.name), s.bash_named])).toEqual([
      ['session-1', 'deepseek', ['Edit'], undefined],
      ['session-1', 'deepseek', ['Bash'], [file]],
    ]);
    expect(JSON.stringify(snaps)).not.toContain('sed -i');
  }, 120_000);

  it("Claude Code writing a file and committing it in the same answer: the lines are the model's, found by the call it made", async () => {
    const file = 'gen.txt';
    let repo = '';
    let calls = 0;
    const upstream = await startFakeUpstream(() => {
      calls++;
      if (calls === 1)
        return {
          kind: 'sse',
          text: anthropicSse([
            { type: 'tool_use', id: 'toolu_w', name: 'Write', input: { file_path: join(repo, file), content: 'alpha line\nbeta line\n' } },
            { type: 'tool_use', id: 'toolu_c', name: 'Bash', input: { command: 'git add -A && git commit -m gen' } },
          ]),
        };
      return { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'Committed.' }]) };
    });
    cleanup.push(() => upstream.close());
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upstream.url, api_key: 'sk-ant-test' }] });
    cleanup.push(() => h.close());
    repo = h.repo;
    await git(h.repo, ['add', '-A']);
    await git(h.repo, ['commit', '-q', '-m', 'initial']);
    await installHooks(h.repo, { tagPrefix: 'model-' });
    const client = new Anthropic({ baseURL: h.url, apiKey: 'sk-client', defaultHeaders: { 'x-claude-code-session-id': 'session-2' } });
    const tools = [{ name: 'Write', description: 'w', input_schema: { type: 'object' as const, properties: {} } }];
    await client.messages
      .stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'go' }], tools })
      .finalMessage();
    await h.proxy.ledger.flushed();
    // Both calls run before the next request: the Write, then the commit (Claude Code's Bash sets CLAUDECODE=1).
    writeFileSync(join(h.repo, file), 'alpha line\nbeta line\n');
    appendFileSync(join(h.repo, file), 'typed by the person meanwhile\n');
    await execa('sh', ['-c', 'git add -A && git commit -q -m gen'], { cwd: h.repo, env: { CLAUDECODE: '1' } });
    const note = await readAttribution(h.repo, 'HEAD', { waitMs: 60_000 });
    expect(note?.files.map((f) => [f.path, f.ranges.map((r) => [r.start_line, r.end_line, r.contributor])])).toEqual([
      [
        file,
        [
          [1, 2, { type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-5' }],
          [3, 3, { type: 'human' }],
        ],
      ],
    ]);
  }, 120_000);
});

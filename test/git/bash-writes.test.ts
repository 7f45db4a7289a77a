// A model's Bash-made changes at a switch, through the real proxy (fake Anthropic upstreams, the official SDK as
// Claude Code, the Bash command run by the test as Claude Code's Bash tool would): the file claude's `sed -i` named is
// claude's and goes into the auto-commit stamped `Model: claude`; a file its script generated without naming it
// (a `mixed` interval in the notes) and the person's wip.txt stay out, named as the person's, in the work tree.

import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { notesSettled } from '../../proxy/attribution/auto-commit-note.ts';
import { readAttribution } from '../../proxy/attribution/read.ts';
import { git } from '../../proxy/git/git.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { anthropicSse } from '../helpers/anthropic-sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const COMMAND = "sed -i 's/one/two/' lib.ts && sh make.sh";

describe("a model's Bash-made changes at a switch", () => {
  it("go into the auto-commit where a command named the file; a file no command named stays the person's", async () => {
    let calls = 0;
    const claude = await startFakeUpstream(() =>
      ++calls === 1
        ? { kind: 'sse', text: anthropicSse([{ type: 'tool_use', id: 'toolu_bash1', name: 'Bash', input: { command: COMMAND } }]) }
        : { kind: 'json', status: 429, body: JSON.parse(fixture('anthropic-429.json')), headers: { 'retry-after': '3600' } },
    );
    const deepseek = await startFakeUpstream(() => ({ kind: 'sse', text: anthropicSse([{ type: 'text', text: 'Done.' }]) }));
    cleanup.push(
      () => claude.close(),
      () => deepseek.close(),
    );
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url, api_key: 'sk-ant-test' },
        { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: 'sk-ds-test', model: 'deepseek-v4-flash' },
      ],
      git: { auto_commit: true },
    });
    cleanup.push(() => h.close());
    const repo = h.repo;
    await installHooks(repo);
    writeFileSync(join(repo, '.gitignore'), '.fallbackrc.yaml\n');
    writeFileSync(join(repo, 'lib.ts'), 'export const n = "one";\n');
    writeFileSync(join(repo, 'make.sh'), 'echo generated > gen.txt\n');
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-qm', 'Start'], { env: { CLAUDECODE: '' } });

    const client = new Anthropic({
      baseURL: h.url,
      apiKey: 'sk-client',
      maxRetries: 0,
      defaultHeaders: { 'x-claude-code-session-id': 's1' },
    });
    const tools = [{ name: 'Bash', description: 'run', input_schema: { type: 'object' as const, properties: {} } }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Rename one to two' }];
    const answer = await client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages, tools }).finalMessage();
    await h.proxy.ledger.flushed(); // the snapshot the request started (a model's answer takes far longer than it)
    const use = answer.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    await execa('sh', ['-c', (use.input as { command: string }).command], { cwd: repo }); // Claude Code's Bash tool
    writeFileSync(join(repo, 'wip.txt'), 'my half-done idea\n'); // the person, meanwhile
    messages.push(
      { role: 'assistant', content: answer.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '' }] },
    );
    // Carries the Bash result; claude answers 429: the switch to deepseek auto-commits claude's work.
    await client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages, tools }).finalMessage();
    const [s] = (await h.settledEvents()).filter((e): e is SwitchEvent => e.kind === 'switch');
    expect(s).toMatchObject({ from: 'claude', to: 'deepseek' });
    expect(s.commit).toBe((await git(repo, ['rev-parse', 'HEAD'])).stdout.trim());

    expect((await git(repo, ['show', '--name-only', '--format=', 'HEAD'])).stdout.trim()).toBe('lib.ts');
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Model,valueonly)'])).stdout.trim()).toBe('claude');
    expect((await git(repo, ['log', '-1', '--format=%B'])).stdout).toContain(
      "The person's, not committed (no model wrote them), still in the working tree:\n- gen.txt\n- wip.txt\n",
    );
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('?? gen.txt\n?? wip.txt\n');
    expect(readFileSync(join(repo, 'gen.txt'), 'utf8')).toBe('generated\n');
    await notesSettled();
    const note = await readAttribution(repo, 'HEAD', { waitMs: 60_000 });
    expect(note?.files.map((f) => [f.path, f.ranges.map((r) => r.contributor)])).toEqual([
      ['lib.ts', [{ type: 'ai', tier: 'claude', model_id: 'anthropic/claude-sonnet-4-6' }]],
    ]);
  }, 60_000);
});

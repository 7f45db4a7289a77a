// Recording which files each model wrote: the file tool calls whose result came back without is_error, once each,
// relative to the repository; through the real proxy; and with the real Claude Code CLI, whose Bash tool sets
// CLAUDECODE=1 (https://github.com/anthropics/claude-code/issues/531), so its own commit carries the active model
// while a person's commit of a file it wrote carries the model that wrote it.

import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import { createEditRecorder } from '../../proxy/git/edits.ts';
import { createLedgerWriter, readLedger, type EditEvent } from '../../proxy/git/ledger.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { parseConfig } from '../../proxy/config.ts';
import { ADAPTERS } from '../../proxy/providers/adapters.ts';
import { createProxy } from '../../proxy/server/server.ts';
import { startFakeUpstream, type RecordedRequest } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { anthropicSse } from '../helpers/anthropic-sse.ts';
import { claudeBin } from '../helpers/claude-code.ts';
import { PERSON, commitFile, makeRepo, message, models, tempDir } from '../hooks/repo.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Block = Record<string, unknown>;
const use = (id: string, name: string, input: Record<string, unknown>): Block => ({ type: 'tool_use', id, name, input });
const result = (id: string, isError?: boolean): Block => ({
  type: 'tool_result',
  tool_use_id: id,
  content: 'ok',
  ...(isError === undefined ? {} : { is_error: isError }),
});
const conversation = (...turns: Block[][]): MessagesRequest =>
  ({
    model: 'claude-sonnet-4-6',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'go' }, ...turns.map((content, i) => ({ role: i % 2 === 0 ? 'assistant' : 'user', content }))],
  }) as MessagesRequest;
const edits = (file: string) => readLedger(file).filter((e): e is EditEvent => e.kind === 'edit');

describe('the edit recorder', () => {
  it('records each file tool call whose result came back without an error, once, relative to the repository', async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo, 'src'));
    const ledgerFile = join(repo, '.git', 'model-ledger');
    const ledger = createLedgerWriter(ledgerFile);
    const recorder = createEditRecorder({ repo, ledger, log: () => {} });
    const outside = join(tempDir('elsewhere'), 'x.txt');
    const body = conversation(
      [
        use('toolu_w', 'Write', { file_path: join(repo, 'src', 'a.ts'), content: 'a' }),
        use('toolu_e', 'Edit', { file_path: join(repo, 'b.ts'), old_string: 'x', new_string: 'y' }),
        use('toolu_m', 'MultiEdit', { file_path: join(repo, 'c.ts'), edits: [] }),
        use('toolu_n', 'NotebookEdit', { notebook_path: join(repo, 'n.ipynb'), new_source: '' }),
        use('toolu_o', 'Write', { file_path: outside, content: 'o' }),
        use('toolu_b', 'Bash', { command: 'echo hi > bash.txt' }),
        use('toolu_p', 'Write', { file_path: join(repo, 'pending.ts'), content: 'p' }),
      ],
      [result('toolu_w'), result('toolu_e', true), result('toolu_m', false), result('toolu_n'), result('toolu_o'), result('toolu_b')],
    );
    recorder.record(body, 'gemini-flash');
    recorder.record(body, 'deepseek'); // the same conversation again, as the next request carries it
    await recorder.settled();
    await ledger.flushed();
    expect(edits(ledgerFile).map((e) => [e.tier, e.path, e.tool, e.id])).toEqual([
      ['gemini-flash', 'src/a.ts', 'Write', 'toolu_w'],
      ['gemini-flash', 'c.ts', 'MultiEdit', 'toolu_m'],
      ['gemini-flash', 'n.ipynb', 'NotebookEdit', 'toolu_n'],
    ]);

    // A proxy started again sees the whole conversation again, plus the result that was pending.
    const again = createEditRecorder({ repo, ledger, log: () => {} });
    again.record(conversation(...body.messages.slice(1).map((m) => m.content as Block[]), [], [result('toolu_p')]), 'deepseek');
    await again.settled();
    await ledger.close();
    expect(edits(ledgerFile).map((e) => [e.tier, e.path])).toEqual([
      ['gemini-flash', 'src/a.ts'],
      ['gemini-flash', 'c.ts'],
      ['gemini-flash', 'n.ipynb'],
      ['deepseek', 'pending.ts'],
    ]);
  });

  it('knows the repository by its real path when Claude Code names it through a symlink', async () => {
    const repo = await makeRepo();
    const link = join(tempDir('link'), 'project');
    symlinkSync(repo, link);
    const ledgerFile = join(repo, '.git', 'model-ledger');
    const ledger = createLedgerWriter(ledgerFile);
    const recorder = createEditRecorder({ repo, ledger, log: () => {} });
    recorder.record(conversation([use('toolu_1', 'Write', { file_path: join(link, 'a.txt') })], [result('toolu_1')]), 'claude');
    await recorder.settled();
    await ledger.close();
    expect(edits(ledgerFile).map((e) => e.path)).toEqual(['a.txt']);
  });
});

/**
 * How many tool results the request's conversation holds: the step of the scripted session. (Blocks, not messages:
 * Claude Code sends the turns of one tool loop merged into one assistant and one user message.)
 */
function resultsIn(req: RecordedRequest): number {
  const body = req.json as { messages?: { content: unknown }[] } | null;
  return (body?.messages ?? [])
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b: { type?: string }) => b.type === 'tool_result').length;
}

describe('edits through the proxy', () => {
  it('records a Write whose result the next request carries, and a person committing that file gets its model', async () => {
    const upstream = await startFakeUpstream(() => ({ kind: 'sse', text: anthropicSse([{ type: 'text', text: 'ok' }]) }));
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upstream.url }] });
    cleanup.push(
      () => upstream.close(),
      () => h.close(),
    );
    await installHooks(h.repo);
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: h.url, maxRetries: 0 });
    const file = join(h.repo, 'written.txt');
    await client.messages
      .stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'write it' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_01Write', name: 'Write', input: { file_path: file, content: 'w\n' } }],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Write', content: 'File created successfully' }] },
        ],
      })
      .finalMessage();
    expect((await h.settledEvents()).filter((e) => e.kind === 'edit')).toEqual([
      expect.objectContaining({ tier: 'claude', path: 'written.txt', tool: 'Write', id: 'toolu_01Write' }),
    ]);
    await commitFile(h.repo, 'written.txt', 'w\n', 'Commit the file Claude wrote', { env: PERSON });
    expect(await models(h.repo)).toEqual(['claude']);
  });
});

describe('with the real Claude Code CLI', () => {
  it('its own commit carries the active model; a file it wrote and a person commits carries the model that wrote it', async () => {
    let repo = '';
    const upstream = await startFakeUpstream((req) => {
      const body = req.json as { tools?: unknown[] } | null;
      if (!body?.tools?.length) return { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'A title' }]) };
      const step = [
        [{ type: 'tool_use', id: 'toolu_01WriteHello', name: 'Write', input: { file_path: join(repo, 'hello.txt'), content: 'hello\n' } }],
        [{ type: 'tool_use', id: 'toolu_01WriteNotes', name: 'Write', input: { file_path: join(repo, 'notes.txt'), content: 'notes\n' } }],
        [
          {
            type: 'tool_use',
            id: 'toolu_01Commit',
            name: 'Bash',
            input: {
              command: 'git add hello.txt && git commit -q -m "Add hello" && env | grep ^CLAUDECODE=',
              description: 'Commit hello.txt',
            },
          },
        ],
      ][resultsIn(req)] as Parameters<typeof anthropicSse>[0] | undefined;
      return { kind: 'sse', text: anthropicSse(step ?? [{ type: 'text', text: 'Done.' }]) };
    });
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upstream.url }] });
    cleanup.push(
      () => upstream.close(),
      () => h.close(),
    );
    repo = h.repo;
    await installHooks(repo);
    await commitFile(repo, '.gitignore', '.fallbackrc.yaml\n', 'Ignore the local config', { env: PERSON });

    const home = tempDir('home');
    const r = await execa(
      claudeBin(),
      [
        '-p',
        'Write hello.txt and notes.txt, then commit hello.txt',
        '--allowedTools',
        'Write',
        'Read',
        'Bash(git add:*)',
        'Bash(git commit:*)',
        'Bash(env:*)',
        'Bash(grep:*)',
      ],
      {
        cwd: repo,
        extendEnv: false,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          ANTHROPIC_BASE_URL: h.url,
          ANTHROPIC_API_KEY: 'sk-ant-test',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_CONFIG_NOSYSTEM: '1',
        },
        stdin: 'ignore',
        reject: false,
        timeout: 120_000,
      },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const lastBlocks = (upstream.requests.at(-1)!.json as { messages: { content: unknown }[] }).messages.flatMap((m) =>
      Array.isArray(m.content) ? m.content : [],
    );
    expect(
      lastBlocks.filter((b: { type?: string }) => b.type === 'tool_result').map((b: { is_error?: boolean }) => b.is_error ?? false),
      JSON.stringify(lastBlocks.at(-1)),
    ).toEqual([false, false, false]);
    // What its Bash tool printed: the environment the commit (and so the hooks) ran in.
    expect((lastBlocks.at(-1) as { content: string }).content).toMatch(/^CLAUDECODE=1$/m);
    expect(await message(repo)).toBe('Add hello\n\nModel: claude\n\n');
    const recorded = (await h.settledEvents()).filter((e): e is EditEvent => e.kind === 'edit');
    expect(recorded.map((e) => [e.tier, e.path, e.id])).toEqual([
      ['claude', 'hello.txt', 'toolu_01WriteHello'],
      ['claude', 'notes.txt', 'toolu_01WriteNotes'],
    ]);

    await commitFile(repo, 'notes.txt', 'notes\n', 'Commit the notes Claude wrote', { env: PERSON });
    expect(await models(repo)).toEqual(['claude']);
    await commitFile(repo, 'mine.txt', 'mine\n', 'My own file', { env: PERSON });
    expect(await models(repo)).toEqual([]);
  }, 180_000);
});

describe('edit recording is off the request path', () => {
  it('the answer (first byte and all) arrives while the edit recording is held; the edit line is written once it is let go', async () => {
    const upstream = await startFakeUpstream(() => ({ kind: 'sse', text: anthropicSse([{ type: 'text', text: 'ok' }]) }));
    const repo = await makeRepo();
    const ledgerFile = join(repo, '.git', 'model-ledger');
    let release: () => void = () => {};
    let held = 0;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const proxy = createProxy({
      config: parseConfig(
        JSON.stringify({
          proxy: { host: '127.0.0.1', port: 0 },
          tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upstream.url }],
          git: { auto_commit: false },
        }),
        'test.yaml',
        {},
      ),
      repo,
      ledgerPath: ledgerFile,
      adapters: ADAPTERS,
      autoCommit: async () => ({ commit: null, tag: null }),
      notifier: { notify() {}, drain: async () => {} },
      log: () => {},
      beforeEditRecord: () => {
        held++;
        return gate;
      },
    });
    const port = await proxy.listen();
    cleanup.push(
      () => upstream.close(),
      () => proxy.close(200),
      async () => release(),
    ); // released first: close waits for it
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'write it' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_01Held', name: 'Write', input: { file_path: join(repo, 'held.txt'), content: 'h\n' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Held', content: 'File created successfully' }] },
      ],
    });
    const answer = await stream.finalMessage(); // would never resolve if the answer waited for the held recording
    expect(answer.content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual(['ok']);
    expect(held).toBe(1);
    expect(edits(ledgerFile)).toEqual([]);
    release();
    await proxy.ledger.flushed();
    expect(edits(ledgerFile).map((e) => [e.tier, e.path, e.id])).toEqual([['claude', 'held.txt', 'toolu_01Held']]);
  });
});

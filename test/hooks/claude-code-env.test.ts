// What the real Claude Code CLI passes on to the commands its Bash tool runs (git, and so the hooks): the hooks
// stamp a CLAUDECODE=1 commit only when the session's ANTHROPIC_BASE_URL is the running proxy's address
// (hooks/active-run.sh, fb_uses_proxy; docs/git.md, "Which session uses the proxy"). This test is that finding, and
// the real CLI committing in a linked worktree shows the rule end to end.

import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type RecordedRequest } from '../helpers/fake-upstream.ts';
import { CLAUDE_CODE_STATUSLINE_VERSION, CLAUDE_CODE_VERSION, claudeBin, ensureClaudeCode } from '../helpers/claude-code.ts';
import { git } from '../../proxy/git/git.ts';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { runFilePath } from '../../proxy/run/run-file.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, TIERS, ledger, makeRepo, models, subject, tags, tempDir } from './repo.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

// Anthropic's streaming events (https://docs.anthropic.com/en/docs/build-with-claude/streaming).
function sse(block: { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }): string {
  const ev: [string, unknown][] = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: 'msg_env',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-6',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      },
    ],
  ];
  if (block.type === 'text') {
    ev.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
    ev.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: block.text } }]);
  } else {
    ev.push([
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } },
    ]);
    ev.push([
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } },
    ]);
  }
  ev.push(['content_block_stop', { type: 'content_block_stop', index: 0 }]);
  ev.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: block.type === 'tool_use' ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    },
  ]);
  ev.push(['message_stop', { type: 'message_stop' }]);
  return ev.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

const hasToolResult = (req: RecordedRequest) =>
  ((req.json as { messages?: { content: unknown }[] } | null)?.messages ?? []).some(
    (m) => Array.isArray(m.content) && m.content.some((b: { type?: string }) => b.type === 'tool_result'),
  );

// Both versions the tests pin: the one the hooks' tests run (2.1.197) and the newest checked (2.1.332).
const versions: [string, () => string][] = [
  [CLAUDE_CODE_STATUSLINE_VERSION, claudeBin],
  [CLAUDE_CODE_VERSION, ensureClaudeCode],
];

describe.each(versions)("Claude Code %s's Bash tool", (_version, bin) => {
  it("runs its commands with the session's ANTHROPIC_BASE_URL and CLAUDECODE=1 in their environment", async () => {
    const repo = await makeRepo();
    const out = join(tempDir('env'), 'env.txt');
    const upstream = await startFakeUpstream((req) => {
      const body = req.json as { tools?: unknown[] } | null;
      if (!body?.tools?.length) return { kind: 'sse', text: sse({ type: 'text', text: 'A title' }) };
      if (hasToolResult(req)) return { kind: 'sse', text: sse({ type: 'text', text: 'Done.' }) };
      return {
        kind: 'sse',
        text: sse({
          type: 'tool_use',
          id: 'toolu_01Env',
          name: 'Bash',
          input: { command: `env > ${out}`, description: 'Print the environment' },
        }),
      };
    });
    cleanup.push(() => upstream.close());
    const base = `${upstream.url}/`; // with a trailing slash: the hook compares host and port, not the spelling
    const r = await execa(bin(), ['-p', 'print the environment', '--allowedTools', 'Bash'], {
      cwd: repo,
      extendEnv: false,
      env: {
        PATH: process.env.PATH,
        HOME: tempDir('home'),
        ANTHROPIC_BASE_URL: base,
        ANTHROPIC_API_KEY: 'sk-ant-test',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      },
      stdin: 'ignore',
      reject: false,
      timeout: 120_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const env = readFileSync(out, 'utf8');
    expect(env).toMatch(/^CLAUDECODE=1$/m);
    expect(env.split('\n')).toContain(`ANTHROPIC_BASE_URL=${base}`);
  }, 600_000);
});

describe('Claude Code committing in a linked worktree', () => {
  it("is stamped only from the session whose ANTHROPIC_BASE_URL is the repository's proxy", async () => {
    const repo = await makeRepo({ initial: true });
    const wt = join(tempDir('wt'), 'linked');
    await git(repo, ['worktree', 'add', '-q', '-b', 'linked', wt]);
    await installHooks(wt);
    // Two Anthropic endpoints on 127.0.0.1 that each run one Bash tool call committing in the linked worktree. The
    // first plays the repository's proxy: the pid file names this live test process and the start line its port.
    const session = (subject: string) =>
      startFakeUpstream((req) => {
        const body = req.json as { tools?: unknown[] } | null;
        if (!body?.tools?.length) return { kind: 'sse', text: sse({ type: 'text', text: 'A title' }) };
        if (hasToolResult(req)) return { kind: 'sse', text: sse({ type: 'text', text: 'Done.' }) };
        return {
          kind: 'sse',
          text: sse({
            type: 'tool_use',
            id: 'toolu_01Commit',
            name: 'Bash',
            input: { command: `git commit -q --allow-empty -m "${subject}"`, description: 'Commit' },
          }),
        };
      });
    const proxy = await session('Through the proxy');
    const direct = await session('Straight to Anthropic');
    cleanup.push(
      () => proxy.close(),
      () => direct.close(),
    );
    writeFileSync(runFilePath(join(repo, '.git')), `${process.pid} ${processStart(process.pid)}\n`);
    await ledger(repo, {
      ts: RUN1,
      kind: 'start',
      active: 'deepseek',
      tiers: TIERS,
      pid: process.pid,
      port: Number(new URL(proxy.url).port),
    });

    const claude = (url: string) =>
      execa(claudeBin(), ['-p', 'commit', '--allowedTools', 'Bash'], {
        cwd: wt,
        extendEnv: false,
        env: {
          PATH: process.env.PATH,
          HOME: tempDir('home'),
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: 'sk-ant-test',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_CONFIG_NOSYSTEM: '1',
        },
        stdin: 'ignore',
        reject: false,
        timeout: 120_000,
      });
    const a = await claude(direct.url);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(await subject(wt)).toBe('Straight to Anthropic');
    expect(await models(wt)).toEqual([]);
    expect(await tags(repo)).toEqual({});

    const b = await claude(proxy.url);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(await subject(wt)).toBe('Through the proxy');
    expect(await models(wt)).toEqual(['deepseek']);
    expect(Object.keys(await tags(repo))).toEqual([runTagName('model-', 'deepseek', RUN1)]);
  }, 300_000);
});

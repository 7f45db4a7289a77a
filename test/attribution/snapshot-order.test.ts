// An answer's first tool call waits for the work tree snapshot its request started: an instant answer (a fake
// upstream) meets a slow snapshot (a test seam holds its tree read), the tool's write lands in the next interval,
// not the one before, and the answer still arrives whole. Bounded: a snapshot that hangs lets the tool call go
// after `snapshotToolsHoldMs` (logged, counted); an answer without tools and a client that leaves never wait.

import Anthropic from '@anthropic-ai/sdk';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';
import { ADAPTERS } from '../../proxy/providers/adapters.ts';
import { createProxy } from '../../proxy/server/server.ts';
import { git } from '../../proxy/git/git.ts';
import { readLedger, type SnapshotEvent, type UsageEvent } from '../../proxy/git/ledger.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { startFakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { anthropicSse } from '../helpers/anthropic-sse.ts';
import { openAISSE } from '../helpers/vendor-sse.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TOOLS = [{ name: 'Write', description: 'w', input_schema: { type: 'object' as const, properties: {} } }];

/** The proxy for a fresh repository (one commit), tier 0 a fake that answers at once; each snapshot's tree read waits for `treeRead`. */
async function setup(reply: (index: number) => Reply, treeRead: () => Promise<void>, toolsHoldMs?: number, protocol = 'anthropic') {
  const upstream = await startFakeUpstream((_req, index) => reply(index));
  const repo = await makeRepo();
  writeFileSync(join(repo, 'base.txt'), 'base\n');
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'initial']);
  const ledgerFile = join(repo, '.git', 'model-ledger');
  const logs: string[] = [];
  const proxy = createProxy({
    config: parseConfig(
      JSON.stringify({
        proxy: { host: '127.0.0.1', port: 0 },
        tiers: [
          protocol === 'anthropic'
            ? { name: 'claude', protocol, base_url: upstream.url }
            : { name: 'gpt', protocol, base_url: upstream.url, api_key: 'sk-test', model: 'gpt-4.1' },
        ],
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
    log: (l) => logs.push(l),
    beforeSnapshotTree: treeRead,
    snapshotToolsHoldMs: toolsHoldMs,
  });
  const port = await proxy.listen();
  cleanup.push(
    () => upstream.close(),
    () => proxy.close(200),
  );
  const client = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: `http://127.0.0.1:${port}`,
    maxRetries: 0,
    defaultHeaders: { 'x-claude-code-session-id': 'session-1' },
  });
  const snapshots = () => readLedger(ledgerFile).filter((e): e is SnapshotEvent => e.kind === 'snapshot');
  const usage = () => readLedger(ledgerFile).filter((e): e is UsageEvent => e.kind === 'usage');
  return { repo, proxy, client, logs, port, snapshots, usage };
}

const slow = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));
const WRITE = { type: 'tool_use' as const, id: 'toolu_01Order', name: 'Write', input: { file_path: 'tool.txt', content: 'by the tool\n' } };

async function pathsOf(repo: string, tree: string): Promise<string[]> {
  return (await git(repo, ['ls-tree', '-r', '--name-only', tree])).stdout.split('\n').filter((p) => p !== '');
}

describe("an answer's tools run after its request's snapshot", () => {
  const answerJson = {
    id: 'msg_order1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [WRITE],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  };
  const cases: { name: string; stream: boolean; protocol: string; first: Reply; done: Reply }[] = [
    {
      name: 'a streamed Anthropic answer (passed through)',
      stream: true,
      protocol: 'anthropic',
      first: { kind: 'sse', text: anthropicSse([WRITE]) },
      done: { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'Done.' }]) },
    },
    {
      name: 'a JSON Anthropic answer',
      stream: false,
      protocol: 'anthropic',
      first: { kind: 'json', status: 200, body: answerJson },
      done: {
        kind: 'json',
        status: 200,
        body: { ...answerJson, id: 'msg_order2', content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn' },
      },
    },
    {
      // Chat Completions streams a tool call as tool_calls deltas and ends it with finish_reason "tool_calls"
      // (https://platform.openai.com/docs/api-reference/chat-streaming): the proxy writes the Anthropic end itself.
      name: 'a streamed OpenAI-compatible answer (translated)',
      stream: true,
      protocol: 'openai',
      first: {
        kind: 'sse',
        text: openAISSE(
          [
            {
              role: 'assistant',
              tool_calls: [
                { index: 0, id: 'call_order1', type: 'function', function: { name: 'Write', arguments: JSON.stringify(WRITE.input) } },
              ],
            },
          ],
          'tool_calls',
          'gpt-4.1',
        ),
      },
      done: { kind: 'sse', text: openAISSE([{ role: 'assistant', content: 'Done.' }], 'stop', 'gpt-4.1') },
    },
  ];
  for (const c of cases) {
    it(`${c.name} with a tool_use, at once: the tool's write is in the next snapshot, not its request's`, async () => {
      // Each snapshot's tree read is 400 ms late: far slower than the fake's answer.
      const s = await setup((i) => (i === 0 ? c.first : c.done), slow(400), undefined, c.protocol);
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Write the file' }];
      const params = { model: 'claude-sonnet-4-6', max_tokens: 100, messages, tools: TOOLS };
      const ask = () => (c.stream ? s.client.messages.stream(params).finalMessage() : s.client.messages.create(params));
      const answer = await ask();
      // The answer arrived whole; Claude Code now runs its tool, at once.
      expect(answer.stop_reason).toBe('tool_use');
      expect(answer.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'Write', input: WRITE.input })]);
      const id = (answer.content[0] as Anthropic.ToolUseBlock).id;
      writeFileSync(join(s.repo, 'tool.txt'), 'by the tool\n');
      messages.push({ role: 'assistant', content: answer.content as Anthropic.ContentBlockParam[] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'File created successfully' }] });
      const last = await ask();
      expect(last.content).toEqual([expect.objectContaining({ type: 'text', text: 'Done.' })]);
      await s.proxy.ledger.flushed();

      const snaps = s.snapshots();
      // The first request's snapshot: the tree before the answer's tool ran; the second's holds the write, by that answer.
      expect(snaps.map((e) => e.answer?.tools ?? null)).toEqual([null, [{ name: 'Write', path: 'tool.txt' }]]);
      expect(await pathsOf(s.repo, snaps[0].tree)).toEqual(['base.txt']);
      expect(await pathsOf(s.repo, snaps[1].tree)).toEqual(['base.txt', 'tool.txt']);
      expect(s.proxy.lateSnapshotHolds()).toBe(0);
    });
  }

  it('a tool started as its block completes (streaming tool execution), before the answer ends: still in the next snapshot', async () => {
    // Claude Code runs each tool as soon as its block is complete (streaming tool execution, always on since 2.1.154:
    // https://github.com/bloknayrb/tandem/issues/1043 quotes the release notes): here the answer's end comes 1.5 s later.
    const s = await setup(
      (i) =>
        i === 0
          ? { kind: 'sse', text: anthropicSse([WRITE]), pauseAfter: { frames: 4, ms: 1500 } }
          : { kind: 'sse', text: anthropicSse([{ type: 'text', text: 'Done.' }]) },
      slow(400),
    );
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Write the file' }];
    const params = { model: 'claude-sonnet-4-6', max_tokens: 100, messages, tools: TOOLS };
    let ranAt = 0;
    const stream = s.client.messages.stream(params);
    stream.on('contentBlock', (block) => {
      if (block.type !== 'tool_use') return;
      writeFileSync(join(s.repo, 'tool.txt'), 'by the tool\n'); // the tool runs now, the answer still streaming
      ranAt = Date.now();
    });
    const answer = await stream.finalMessage();
    expect(ranAt).toBeGreaterThan(0);
    messages.push({ role: 'assistant', content: answer.content as Anthropic.ContentBlockParam[] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: WRITE.id, content: 'File created successfully' }] });
    await s.client.messages.stream(params).finalMessage();
    await s.proxy.ledger.flushed();
    const snaps = s.snapshots();
    expect(snaps.map((e) => e.answer?.tools ?? null)).toEqual([null, [{ name: 'Write', path: 'tool.txt' }]]);
    expect(await pathsOf(s.repo, snaps[0].tree)).toEqual(['base.txt']);
    expect(await pathsOf(s.repo, snaps[1].tree)).toEqual(['base.txt', 'tool.txt']);
  });

  it('a snapshot that hangs holds the tool call at most the bound: the answer still arrives whole, the late hold is logged', async () => {
    let letGo: () => void = () => {};
    const hung = new Promise<void>((r) => (letGo = r));
    const s = await setup(
      () => ({ kind: 'sse', text: anthropicSse([WRITE]) }),
      () => hung,
      300,
    );
    cleanup.push(() => letGo()); // before close: the snapshot queue ends
    const answer = await s.client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'Write it' }], tools: TOOLS })
      .finalMessage();
    expect(answer.stop_reason).toBe('tool_use');
    expect(answer.content).toEqual([expect.objectContaining({ type: 'tool_use', id: WRITE.id })]);
    expect(s.logs.filter((l) => l.includes('took over 300 ms'))).toHaveLength(1);
    expect(s.proxy.lateSnapshotHolds()).toBe(1);
  });

  it('an answer without a tool call never waits for the snapshot', async () => {
    let letGo: () => void = () => {};
    const hung = new Promise<void>((r) => (letGo = r));
    // A bound far past the test's timeout: a wait would fail the test.
    const s = await setup(
      () => ({ kind: 'sse', text: anthropicSse([{ type: 'text', text: 'Hello.' }]) }),
      () => hung,
      600_000,
    );
    cleanup.push(() => letGo());
    const answer = await s.client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], tools: TOOLS })
      .finalMessage();
    expect(answer.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello.' })]);
  });

  it('a client that leaves while the tool call is held ends the answer at once (its usage line says incomplete)', async () => {
    let letGo: () => void = () => {};
    const hung = new Promise<void>((r) => (letGo = r));
    // Its events 20 ms apart: what comes before the tool call reaches the client on its own.
    const s = await setup(
      () => ({ kind: 'sse', text: anthropicSse([WRITE]), chunkDelayMs: 20 }),
      () => hung,
      600_000,
    );
    cleanup.push(() => letGo());
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${s.port}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'Write it' }],
        tools: TOOLS,
      }),
      signal: abort.signal,
    });
    // What came before the tool call went out (message_start); the tool call is held.
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('message_start')) text += new TextDecoder().decode((await reader.read()).value);
    // The tool call has reached the proxy by now (the events are 20 ms apart), and is held.
    await new Promise((r) => setTimeout(r, 500));
    expect(s.usage()).toEqual([]);
    abort.abort(); // Esc
    // The relay stops and the usage line is written although the snapshot still hangs (and would for ten minutes).
    for (let i = 0; i < 200 && s.usage().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.usage()).toEqual([expect.objectContaining({ tier: 'claude', incomplete: true })]);
  });
});

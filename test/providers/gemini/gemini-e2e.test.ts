// End to end through the real proxy: Anthropic answers 429, the Gemini tier (a fake on 127.0.0.1 that
// replays the fixture) takes over, and the official SDK reads the translated stream. Turn two checks
// that the thoughtSignature goes back on the same functionCall part.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { join } from 'node:path';
import { parseConfig } from '../../../proxy/config.ts';
import { ADAPTERS } from '../../../proxy/providers/adapters.ts';
import { createProxy } from '../../../proxy/server/server.ts';
import { startFakeUpstream } from '../../helpers/fake-upstream.ts';
import { makeRepo } from '../../../test-support/repo.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { fixtureChunks } from './helpers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const SSE = fixture('gemini-stream-function-call.sse');
const fcParts = fixtureChunks(SSE)
  .flatMap((c) => c.candidates![0].content!.parts!)
  .filter((p) => p.functionCall);

type GeminiBody = {
  contents: {
    role: string;
    parts: { functionCall?: { id?: string; name: string }; thoughtSignature?: string; functionResponse?: { id?: string } }[];
  }[];
};

async function start() {
  const anthropic = await startFakeUpstream(() => ({
    kind: 'json',
    status: 429,
    body: JSON.parse(fixture('anthropic-429.json')),
    headers: { 'retry-after': '3600' },
  }));
  const gemini = await startFakeUpstream(() => ({ kind: 'sse', text: SSE }));
  const repo = await makeRepo();
  const yaml = JSON.stringify({
    proxy: { host: '127.0.0.1', port: 0 },
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: anthropic.url },
      { name: 'gemini-flash', protocol: 'gemini', base_url: gemini.url, api_key: 'AIza-fallback-key', model: 'gemini-3-flash-preview' },
    ],
    fallback: { max_wait: '0s', first_byte_timeout: '5s' },
    git: { auto_commit: false },
  });
  const proxy = createProxy({
    config: parseConfig(yaml, 'test.yaml', {}),
    repo,
    ledgerPath: join(repo, '.git', 'model-ledger'),
    adapters: ADAPTERS,
    autoCommit: async () => ({ commit: null, tag: null }),
    notifier: { notify() {}, drain: async () => {} },
    log: () => {},
  });
  const port = await proxy.listen();
  cleanup.push(
    () => anthropic.close(),
    () => gemini.close(),
    () => proxy.close(200),
  );
  return { gemini, client: new Anthropic({ apiKey: 'sk-ant-client-key', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 }) };
}

describe('a Claude Code conversation continued on Gemini', () => {
  it('streams the fixture as Anthropic tool_use blocks and sends the signature back next turn', async () => {
    const { gemini, client } = await start();
    const captured = JSON.parse(fixture('claude-code-2.1.332-tool-loop.json'))[0].body as Anthropic.MessageCreateParamsStreaming;
    const body = { ...captured, model: 'claude-sonnet-4-6' }; // the captured 4-5 makes the SDK print a deprecation notice

    const first = await client.messages
      .stream({ ...body, stream: true }, { headers: { 'anthropic-beta': 'claude-code-20250219' } })
      .finalMessage();
    const toolUses = first.content.filter((b) => b.type === 'tool_use');
    expect(toolUses.map((b) => ({ id: b.id, name: b.name, input: b.input }))).toEqual(
      fcParts.map((p) => ({ id: p.functionCall!.id, name: p.functionCall!.name, input: p.functionCall!.args })),
    );
    expect(first.stop_reason).toBe('tool_use');

    const sent = gemini.requests[0];
    expect(sent.url).toBe('/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse');
    expect(sent.headers['x-goog-api-key']).toBe('AIza-fallback-key');
    const leaked = JSON.stringify(sent.headers);
    for (const s of ['sk-ant-client-key', 'anthropic-beta', 'anthropic-version', 'x-api-key']) expect(leaked).not.toContain(s);
    expect(sent.body.toString()).not.toContain('$schema');

    // Turn two, as Claude Code sends it: the assistant message echoed, one tool_result per call.
    await client.messages
      .stream({
        ...body,
        stream: true,
        messages: [
          ...body.messages,
          {
            role: 'assistant',
            content: first.content.map((b) =>
              b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: b.input } : b,
            ) as Anthropic.ContentBlockParam[],
          },
          { role: 'user', content: toolUses.map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: 'ok' })) },
        ],
      })
      .finalMessage();
    const second = gemini.requests[1].json as GeminiBody;
    const model = second.contents.find((c) => c.role === 'model')!;
    const calls = model.parts.filter((p) => p.functionCall);
    expect(calls.map((p) => p.thoughtSignature)).toEqual(fcParts.map((p) => p.thoughtSignature));
    const answer = second.contents[second.contents.indexOf(model) + 1];
    expect(answer.parts.filter((p) => p.functionResponse).map((p) => p.functionResponse!.id)).toEqual(
      fcParts.map((p) => p.functionCall!.id),
    );
  });
});

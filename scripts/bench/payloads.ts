// What the benchmark sends and what the fake upstream answers: Anthropic SSE streams of a chosen size,
// the provider fixtures, and a real Claude Code request padded back to its original size.

import { FIXTURES, fixture, splitFrames } from '../../test-support/fixtures.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const frame = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

const PROSE = [
  'You are an interactive CLI tool that helps users with software engineering tasks.',
  'Use the instructions below and the tools available to you to assist the user.',
  'When you are unsure, read the relevant files before you change them, and keep edits small.',
  'Prefer editing existing files to creating new ones, and never commit unless the user asks.',
  "Run the project's tests after a change and report what failed, with the command you ran.",
  'The working directory is a git repository; its status at the start of the session follows.',
  'Answer concisely: the user sees your output in a terminal rendered as GitHub-flavoured Markdown.',
  'When a tool call fails, say why, try a different approach, and do not repeat the same call blindly.',
];

/** `n` characters of plausible instruction prose (what the fixture's `[N characters of prose removed]` stood for). */
export function prose(n: number, seed = 0): string {
  let out = '';
  for (let i = seed; out.length < n; i++) out += PROSE[i % PROSE.length] + (i % 5 === 4 ? '\n\n' : ' ');
  return out.slice(0, n);
}

/** An Anthropic stream of `events` events in all (message_start, ping, text deltas, stops). */
export function anthropicStream(events: number, deltaChars: number): string[] {
  const deltas = Math.max(1, events - 6);
  const frames = [
    frame('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_bench',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 18210, output_tokens: 1 },
      },
    }),
    frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    frame('ping', { type: 'ping' }),
  ];
  for (let i = 0; i < deltas; i++)
    frames.push(
      frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: prose(deltaChars, i) } }),
    );
  frames.push(
    frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
    frame('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: deltas * Math.ceil(deltaChars / 4) },
    }),
    frame('message_stop', { type: 'message_stop' }),
  );
  return frames;
}

export type StreamName = 'small' | 'large' | 'openai' | 'gemini';

/** Every stream the fake serves, as the frames it writes one by one. */
export function streams(): Record<StreamName, string[]> {
  return {
    small: anthropicStream(20, 40),
    large: anthropicStream(1006, 1000), // ~1 MB: 1,000 deltas of 1,000 characters
    openai: splitFrames(fixture('openai-stream-tool-calls.sse')),
    gemini: splitFrames(fixture('gemini-stream-function-call.sse')),
  };
}

export type ClientRequest = { path: string; headers: Record<string, string>; body: Buffer };

/** A short streamed request, as the SDK sends it. */
export function smallRequest(): ClientRequest {
  const body = { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Say hello.' }] };
  return {
    path: '/v1/messages',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-bench' },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** Headers a client library sets itself (undici refuses some of them). */
const CLIENT_SET = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * A recorded Claude Code 2.1.332 request with its removed prose put back (as realistic text of the same
 * length), grown or cut to about `bytes` bytes of body. `turn` 0 is the first turn (about 80 KB);
 * turn 1 continues a tool loop whose assistant turn was recorded without its thinking block, so the proxy
 * must rewrite it (drop `thinking`) before Anthropic sees it.
 */
export function claudeCodeRequest(turn: 0 | 1 = 0, bytes = 80 * 1024): ClientRequest {
  const recorded = JSON.parse(readFileSync(join(FIXTURES, 'claude-code-2.1.332-tool-loop.json'), 'utf8')) as {
    url: string;
    headers: Record<string, string>;
    body: unknown;
  }[];
  const rec = recorded[turn];
  let seed = 0;
  const fill = (scale: number) =>
    JSON.stringify(rec.body, (_k, v: unknown) =>
      typeof v === 'string'
        ? v.replace(/\[(\d+) characters of prose removed\]/g, (_m, n: string) => prose(Math.round(Number(n) * scale), seed++))
        : v,
    );
  const raw = Buffer.byteLength(fill(1));
  const fixed = Buffer.byteLength(fill(0));
  const text = fill(Math.max(0, (bytes - fixed) / Math.max(1, raw - fixed)));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) if (!CLIENT_SET.has(k)) headers[k] = v;
  return { path: rec.url, headers, body: Buffer.from(text) };
}

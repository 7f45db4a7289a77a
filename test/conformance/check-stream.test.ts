// The conformance suite's stream checker must itself refuse what breaks Anthropic's streaming rules,
// or a broken adapter would pass the suite.

import { describe, expect, it } from 'vitest';
import { checkStream } from './conformance.ts';

const frame = (e: { type: string; [k: string]: unknown }, name = e.type) => `event: ${name}\ndata: ${JSON.stringify(e)}\n\n`;
const START = frame({
  type: 'message_start',
  message: {
    id: 'm',
    type: 'message',
    role: 'assistant',
    model: 'x',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});
const TEXT = [
  frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }),
  frame({ type: 'content_block_stop', index: 0 }),
];
const END = [
  frame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
  frame({ type: 'message_stop' }),
];

describe('checkStream', () => {
  it('accumulates a well-formed stream', () => {
    const m = checkStream([START, ...TEXT, ...END].join(''));
    expect(m.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(m.usage).toMatchObject({ input_tokens: 5, output_tokens: 2 });
  });

  it.each([
    ['no message_stop', [START, ...TEXT, END[0]]],
    ['no message_start', [...TEXT, ...END]],
    ['a delta for a block never opened', [START, TEXT[1], ...END]],
    ['a block left open', [START, TEXT[0], TEXT[1], ...END]],
    ['a block index that skips one', [START, TEXT[0].replace('"index":0', '"index":1'), ...END]],
    ['an event name that is not its type', [START, ...TEXT, END[0], frame({ type: 'message_stop' }, 'ping')]],
    ['an event after message_stop', [START, ...TEXT, ...END, TEXT[0]]],
    [
      'a text delta in a tool_use block',
      [
        START,
        frame({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'R', input: {} } }),
        TEXT[1],
        TEXT[2],
        ...END,
      ],
    ],
  ])('refuses %s', (_what, frames) => {
    expect(() => checkStream(frames.join(''))).toThrow();
  });
});

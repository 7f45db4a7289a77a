// Anthropic's streaming events for a fake upstream (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
// message_start, per block content_block_start / _delta (text_delta, input_json_delta) / _stop, message_delta, message_stop.

type Content = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

let answers = 0;

/** One answer; each gets its own message id, as Anthropic's do (Claude Code merges blocks of one id into one message). */
export function anthropicSse(content: Content[]): string {
  const ev: [string, unknown][] = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: `msg_fake${++answers}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      },
    ],
  ];
  content.forEach((c, index) => {
    if (c.type === 'text') {
      ev.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      ev.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: c.text } }]);
    } else {
      ev.push([
        'content_block_start',
        { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } },
      ]);
      ev.push([
        'content_block_delta',
        { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.input) } },
      ]);
    }
    ev.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  const tool = content.some((c) => c.type === 'tool_use');
  ev.push([
    'message_delta',
    { type: 'message_delta', delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
  ]);
  ev.push(['message_stop', { type: 'message_stop' }]);
  return ev.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

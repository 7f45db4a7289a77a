// SSE framing: LF, CR and CRLF line ends, splits anywhere, multi-line data, comments, no JSON parsing.

import { describe, expect, it } from 'vitest';
import { createFrameEnd, createSSEParser, encodeSSE, parseJSONData } from '../../proxy/wire/sse.ts';

function feed(text: string, size: number) {
  const p = createSSEParser();
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
  out.push(...p.end());
  return { events: out, comments: p.comments };
}

describe('createSSEParser', () => {
  const lf = 'event: a\ndata: {"x":1}\n\n: keep-alive\n\ndata: line1\ndata: line2\n\n';
  for (const [name, text] of [
    ['LF', lf],
    ['CRLF', lf.replaceAll('\n', '\r\n')],
    ['CR', lf.replaceAll('\n', '\r')],
  ] as const) {
    it(`reads ${name} framing the same, however the bytes are split`, () => {
      for (const size of [1, 2, 3, 7, 1000]) {
        const { events, comments } = feed(text, size);
        expect(events).toEqual([{ event: 'a', data: '{"x":1}' }, { data: 'line1\nline2' }]);
        expect(comments).toBe(1);
      }
    });
  }

  it('delivers a last event that lacks its blank line at end of input', () => {
    expect(feed('data: {"a":1}', 4).events).toEqual([{ data: '{"a":1}' }]);
  });

  it('keeps a bad JSON payload as a value for the caller to judge', () => {
    const [e] = feed('data: {nope\n\n', 100).events;
    expect(parseJSONData(e)).toBeInstanceOf(Error);
  });

  it('encodes Anthropic frames with the event name and JSON data', () => {
    expect(encodeSSE('ping', { type: 'ping' })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('ends an event that grows past the maximum with one error event and reads nothing after it', () => {
    for (const size of [1, 5, 64]) {
      const p = createSSEParser({ maxEventChars: 40 });
      const text = 'data: {"ok":1}\n\ndata: ' + 'x'.repeat(100) + '\n\ndata: {"late":1}\n\n';
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      out.push(...p.end());
      expect(out.map((e) => e.event ?? null)).toEqual([null, 'error']);
      expect(JSON.parse(out[1].data)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(p.overflowed).toBe(true);
    }
  });

  it('counts every data line of one event toward the maximum, and a new event starts from zero', () => {
    const p = createSSEParser({ maxEventChars: 30 });
    const many = Array.from({ length: 5 }, () => 'data: 0123456789').join('\n');
    expect(p.push('data: 0123456789\n\ndata: 0123456789\n\n')).toHaveLength(2);
    expect(p.push(many + '\n\n').map((e) => e.event)).toEqual(['error']);
  });
});

describe('createFrameEnd', () => {
  const closerAfter = (...chunks: string[]) => {
    const f = createFrameEnd();
    for (const c of chunks) f.see(Buffer.from(c));
    return f.closer();
  };
  it('adds nothing at a frame boundary (also before anything was sent, with CRLF, or split across chunks)', () => {
    expect(closerAfter()).toBe('');
    expect(closerAfter('event: ping\ndata: {}\n\n')).toBe('');
    expect(closerAfter('event: ping\r\ndata: {}\r\n\r\n')).toBe('');
    expect(closerAfter('data: {}\n', '\n')).toBe('');
  });
  it('closes an unfinished frame as a ping: after a whole line, and after a line cut mid-way', () => {
    expect(closerAfter('event: content_block_delta\ndata: {"a":1}\n')).toBe('event: ping\n\n');
    expect(closerAfter('event: content_block_delta\ndata: {"a"')).toBe('\nevent: ping\n\n');
    const events = [
      ...createSSEParser().push(
        'event: content_block_delta\ndata: {"a"' + closerAfter('event: content_block_delta\ndata: {"a"') + 'event: error\ndata: {}\n\n',
      ),
    ];
    expect(events.map((e) => e.event)).toEqual(['ping', 'error']);
  });
});

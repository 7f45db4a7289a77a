// The tests' own SSE reader (test-support/sse.ts) against the WHATWG event-stream rules:
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

import { describe, expect, it } from 'vitest';
import { createSseReader, parseSse, readSse, sseJson } from '../../test-support/sse.ts';

const STREAM = 'event: a\ndata: 1\n\n: a comment\ndata: x\ndata:y\n\nevent: empty\n\nid: 7\nevent: b\ndata: {"k":2}\n\n';
const EXPECTED = [
  { event: 'a', data: '1' },
  { event: 'message', data: 'x\ny' },
  { event: 'b', data: '{"k":2}', id: '7' },
];

describe('parseSse', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('reads %s line endings the same: names, multi-line data, comments, an event without data not dispatched', (_, eol) => {
    expect(parseSse(STREAM.replace(/\n/g, eol))).toEqual(EXPECTED);
  });

  it('takes one space after the colon away, not more; a line without a colon is a field with no value', () => {
    expect(parseSse('data:  two\n\ndata\n\n')).toEqual([
      { event: 'message', data: ' two' },
      { event: 'message', data: '' },
    ]);
  });

  it('drops a leading BOM and ignores retry and unknown fields', () => {
    expect(parseSse('\uFEFFretry: 10\nfoo: bar\ndata: z\n\n')).toEqual([{ event: 'message', data: 'z' }]);
  });

  it('discards a last event whose blank line never came, as a browser does: a cut stream does not look complete', () => {
    expect(parseSse('data: 1\n\nevent: error\ndata: 2\n')).toEqual([{ event: 'message', data: '1' }]);
  });

  it('sseJson: the JSON payloads, [DONE] left out', () => {
    expect(sseJson('data: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n')).toEqual([{ a: 1 }]);
  });
});

describe('createSseReader', () => {
  it('gives the same events for any split of the text, CRLF pairs split across pieces included', () => {
    const text = STREAM.replace(/\n/g, '\r\n');
    for (const piece of [1, 2, 3, 5, 8]) {
      const reader = createSseReader();
      const out = [];
      for (let i = 0; i < text.length; i += piece) out.push(...reader.push(text.slice(i, i + piece)));
      out.push(...reader.end());
      expect(out, `pieces of ${piece}`).toEqual(EXPECTED);
    }
  });

  it('returns an event as soon as its blank line arrives', () => {
    const reader = createSseReader();
    expect(reader.push('event: a\ndata: 1\n')).toEqual([]);
    expect(reader.push('\n')).toEqual([{ event: 'a', data: '1' }]);
  });

  it('readSse reads a byte stream split inside a multi-byte character', async () => {
    const bytes = Buffer.from('data: é\n\n');
    async function* body() {
      yield bytes.subarray(0, 7);
      yield bytes.subarray(7);
    }
    const out = [];
    for await (const e of readSse(body())) out.push(e);
    expect(out).toEqual([{ event: 'message', data: 'é' }]);
  });
});

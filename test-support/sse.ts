// The one server-sent-events reader of the tests and the bench, written from the WHATWG rules and independent of
// the proxy's own parser (proxy/wire/sse.ts), so no expectation comes from the code under test.
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

/** One dispatched event: `event` is `message` when the stream named none; `data` is the joined data lines. */
export type SseMessage = { event: string; data: string; id?: string };

export type SseReader = {
  /** Feeds the next piece of text (any split: mid-line, mid-CRLF); returns the events it completed. */
  push(chunk: string): SseMessage[];
  /**
   * The end of the stream: as in a browser, an event whose blank line never came is discarded (a stream
   * cut mid-event must not look complete to a test). Returns nothing; there for symmetry with push.
   */
  end(): SseMessage[];
};

/**
 * Lines end in CRLF, LF or CR; a blank line dispatches; `:` starts a comment; `field: value` loses one
 * space after the colon; a line with no colon is a field with an empty value; `data` lines join with LF;
 * an event with no data is not dispatched; `retry` and unknown fields are ignored; a leading BOM is dropped.
 */
export function createSseReader(): SseReader {
  let buf = '';
  let started = false;
  let skipLF = false; // the previous piece ended in CR: an LF at the start of this one belongs to it
  let event = '';
  let data: string[] = [];
  let id: string | undefined;

  const dispatch = (out: SseMessage[]) => {
    if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
    event = '';
    data = [];
  };
  const line = (text: string, out: SseMessage[]) => {
    if (text === '') return dispatch(out);
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };

  return {
    push(chunk) {
      const out: SseMessage[] = [];
      let text = chunk;
      if (!started && text.length > 0) {
        started = true;
        if (text.startsWith('\uFEFF')) text = text.slice(1);
      }
      if (skipLF && text.startsWith('\n')) text = text.slice(1);
      if (text.length > 0) skipLF = false;
      buf += text;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buf);
        if (!m) break;
        // A CR at the very end may be the first half of a CRLF split across pieces: take it, skip the LF later.
        if (m[0] === '\r' && m.index === buf.length - 1) skipLF = true;
        line(buf.slice(0, m.index), out);
        buf = buf.slice(m.index + m[0].length);
      }
      return out;
    },
    end() {
      buf = '';
      event = '';
      data = [];
      return [];
    },
  };
}

/** Every event of a whole SSE text. */
export function parseSse(text: string): SseMessage[] {
  const reader = createSseReader();
  return [...reader.push(text), ...reader.end()];
}

/** The JSON payloads of a whole SSE text, OpenAI's `[DONE]` left out (a payload that is not JSON throws). */
export function sseJson(text: string): unknown[] {
  return parseSse(text)
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as unknown);
}

/** The events of a byte stream (a fetch body, an undici body) as they arrive. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = createSseReader();
  const decoder = new TextDecoder();
  for await (const bytes of body) yield* reader.push(decoder.decode(bytes, { stream: true }));
  yield* reader.push(decoder.decode());
  yield* reader.end();
}

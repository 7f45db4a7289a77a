// Server-sent events framing, provider-agnostic: bytes ↔ events (WHATWG EventSource rules).
// Handles LF, CR and CRLF line ends, multi-line `data:`, comments; never parses JSON itself.

import { MAX_JSON_DEPTH, tooDeepAt } from './json-depth.ts';

export type SSEEvent = { event?: string; data: string; id?: string };

export type SSEParser = {
  /** Feed decoded text; returns the events completed by it. Comment lines are counted, not returned. */
  push(text: string): SSEEvent[];
  /** End of input: an event without its blank line is still delivered (a server that closes right after). */
  end(): SSEEvent[];
  /** Comment lines seen so far (`: keep-alive`, `: OPENROUTER PROCESSING`): activity, not data. */
  readonly comments: number;
  /** An event grew past the maximum: the parser gave its one `error` event and reads nothing more. */
  readonly overflowed: boolean;
};

/**
 * The largest event the proxy holds (its data lines and the line being read, in UTF-16 units). Real
 * events are far smaller: Anthropic and OpenAI stream small deltas, and Gemini's largest, a whole
 * functionCall, is the size of one tool input (a file a model writes). 8 MiB leaves room for that
 * while 100 streams can never hold more than 800 MiB between them.
 */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export type SSEParserOptions = { maxEventChars?: number };

/**
 * Linear in the input however it is split: each push scans only its own text, and the unfinished
 * line is kept as pieces joined once when it ends (never rescanned). Past `maxEventChars` the event is
 * dropped and replaced by one Anthropic-shaped `error` event, which every consumer already treats
 * as the end of the stream (the pass-through relay, the OpenAI and Gemini transforms); the rest of
 * the input is ignored.
 */
export function createSSEParser(opts: SSEParserOptions = {}): SSEParser {
  const max = opts.maxEventChars ?? MAX_EVENT_CHARS;
  let partial: string[] = []; // the line being read, in the pieces it arrived in
  let partialLength = 0;
  let pendingCR = false;
  let data: string[] = [];
  let dataLength = 0;
  let event: string | undefined;
  let id: string | undefined;
  let comments = 0;
  let overflowed = false;

  function dispatch(out: SSEEvent[]): void {
    if (data.length > 0) {
      const e: SSEEvent = { data: data.join('\n') };
      if (event !== undefined) e.event = event;
      if (id !== undefined) e.id = id;
      out.push(e);
    }
    data = [];
    dataLength = 0;
    event = undefined;
  }

  function line(text: string, out: SSEEvent[]): void {
    if (text === '') return dispatch(out);
    if (text.charCodeAt(0) === 58 /* : */) {
      comments++;
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      data.push(value);
      dataLength += value.length + 1;
    } else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    // `retry` and unknown fields are ignored, as EventSource does.
  }

  function overflow(out: SSEEvent[]): void {
    overflowed = true;
    partial = [];
    partialLength = 0;
    data = [];
    dataLength = 0;
    const message = `upstream sent an SSE event larger than ${max / (1024 * 1024)} MiB: the stream was ended`;
    out.push({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'api_error', message } }) });
  }

  function takePartial(tail: string): string {
    const text = partial.length === 0 ? tail : partial.join('') + tail;
    partial = [];
    partialLength = 0;
    return text;
  }

  function push(text: string): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (overflowed) return out;
    if (pendingCR && text.charCodeAt(0) === 10) text = text.slice(1);
    pendingCR = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (dataLength + partialLength + (i - start) > max) {
        overflow(out);
        return out;
      }
      line(takePartial(text.slice(start, i)), out);
      if (c === 13) {
        if (i + 1 === text.length) pendingCR = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) {
      partial.push(start === 0 ? text : text.slice(start));
      partialLength += text.length - start;
      if (dataLength + partialLength > max) overflow(out);
    }
    return out;
  }

  function end(): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (overflowed) return out;
    if (partialLength > 0) line(takePartial(''), out);
    dispatch(out);
    return out;
  }

  return {
    push,
    end,
    get comments() {
      return comments;
    },
    get overflowed() {
      return overflowed;
    },
  };
}

/** One Anthropic-style frame: `event: <type>\ndata: <json>\n\n`. */
export function encodeSSE(type: string, payload: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** JSON payload of an event, or an Error value the caller decides about (never throws; never too deep to walk). */
export function parseJSONData(e: SSEEvent): unknown {
  if (tooDeepAt(e.data) >= 0) return new Error(`event data nests more than ${MAX_JSON_DEPTH} levels deep`);
  try {
    return JSON.parse(e.data);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Where a byte stream stands between SSE frames, so a frame appended after a cut parses on its own.
 * `closer()` is what to write first: nothing at a frame boundary; otherwise the unfinished frame is
 * closed as a `ping`, since the last `event:` field of a frame wins
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation) and
 * Anthropic's SDK skips pings without reading their data. A half-sent event is so dropped, never
 * dispatched as JSON cut mid-way (which the SDK would report as a parse error, not an APIError).
 */
export function createFrameEnd(): { see(chunk: Uint8Array | string): void; closer(): string } {
  let tail = '';
  return {
    see(chunk) {
      const text =
        typeof chunk === 'string' ? chunk.slice(-4) : Buffer.from(chunk.subarray(Math.max(0, chunk.length - 4))).toString('latin1');
      tail = (tail + text).slice(-4);
    },
    closer() {
      if (tail === '' || /(\n\n|\r\r|\r\n\r\n)$/.test(tail)) return '';
      return /[\r\n]$/.test(tail) ? 'event: ping\n\n' : '\nevent: ping\n\n';
    },
  };
}

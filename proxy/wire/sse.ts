// Server-sent events framing, provider-agnostic: bytes ↔ events (WHATWG EventSource rules).
// Handles LF, CR and CRLF line ends, multi-line `data:`, comments; never parses JSON itself.

export type SSEEvent = { event?: string; data: string; id?: string };

export type SSEParser = {
  /** Feed decoded text; returns the events completed by it. Comment lines are counted, not returned. */
  push(text: string): SSEEvent[];
  /** End of input: an event without its blank line is still delivered (a server that closes right after). */
  end(): SSEEvent[];
  /** Comment lines seen so far (`: keep-alive`, `: OPENROUTER PROCESSING`): activity, not data. */
  readonly comments: number;
};

export function createSSEParser(): SSEParser {
  let buffer = '';
  let pendingCR = false;
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let comments = 0;

  function dispatch(out: SSEEvent[]): void {
    if (data.length > 0) {
      const e: SSEEvent = { data: data.join('\n') };
      if (event !== undefined) e.event = event;
      if (id !== undefined) e.id = id;
      out.push(e);
    }
    data = [];
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
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    // `retry` and unknown fields are ignored, as EventSource does.
  }

  function push(text: string): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (pendingCR && text.charCodeAt(0) === 10) text = text.slice(1);
    pendingCR = false;
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      line(buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === buffer.length) pendingCR = true;
        else if (buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
    return out;
  }

  function end(): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (buffer !== '') line(buffer, out);
    buffer = '';
    dispatch(out);
    return out;
  }

  return {
    push,
    end,
    get comments() {
      return comments;
    },
  };
}

/** One Anthropic-style frame: `event: <type>\ndata: <json>\n\n`. */
export function encodeSSE(type: string, payload: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** JSON payload of an event, or an Error value the caller decides about (never throws). */
export function parseJSONData(e: SSEEvent): unknown {
  try {
    return JSON.parse(e.data);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

// A streamed answer from a tier that speaks Anthropic's protocol: its bytes go to Claude Code untouched.
// While held back each chunk is also parsed (has content started? an early error?); once released only
// the last 16 KB are kept, to read the final usage and whether the stream ended with message_stop.
// (A payload that is not JSON comes out as an Error value, which the relay ignores as it ignores `ping`.)

import { createFrameEnd, createSSEParser, encodeSSE, parseJSONData } from '../../wire/sse.ts';
import { errorBody } from '../../wire/errors.ts';
import { responseHeaders, type HeaderMap } from '../../headers.ts';
import type { AnswerStream } from '../provider.ts';

/** How much of a passed-through stream's end is kept to read the final usage from. */
const TAIL_BYTES = 16 * 1024;

export function createPassThroughStream(upstreamHeaders: HeaderMap): AnswerStream {
  const parser = createSSEParser();
  const decoder = new TextDecoder();
  let tail: Buffer[] = [];
  let tailBytes = 0;
  // Every byte sent, held back or live, moves it: a cut can come in either phase.
  const frameEnd = createFrameEnd();

  /** The events at the end of the stream (its final usage, whether it stopped properly), read once. */
  function readTail(): unknown[] {
    if (tail.length === 0) return [];
    const tailParser = createSSEParser();
    const text = Buffer.concat(tail).toString('utf8');
    tail = [];
    tailBytes = 0;
    return [...tailParser.push(text), ...tailParser.end()]
      .filter((e) => e.data.includes('"usage"') || e.event === 'message_stop' || e.event === 'error')
      .map(parseJSONData);
  }

  return {
    headers: responseHeaders(upstreamHeaders, ['content-encoding']),
    held(chunk) {
      const sse = chunk ? parser.push(decoder.decode(chunk, { stream: true })) : [...parser.push(decoder.decode()), ...parser.end()];
      if (chunk) frameEnd.see(chunk);
      return { events: sse.map(parseJSONData), out: chunk };
    },
    live(chunk) {
      // A copy of at most TAIL_BYTES: keeping the chunk itself would keep its whole socket read buffer alive.
      const kept = Buffer.from(chunk.length > TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : chunk);
      tail.push(kept);
      tailBytes += kept.length;
      while (tail.length > 1 && tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= tail.shift()!.length;
      frameEnd.see(chunk);
      return { events: [], out: chunk };
    },
    end: () => ({ events: readTail(), out: null }),
    cutOff(type, message) {
      // A frame cut mid-way is closed first (as a ping), so the error frame parses on its own.
      return { events: readTail(), out: frameEnd.closer() + encodeSSE('error', errorBody(type, message)) };
    },
  };
}


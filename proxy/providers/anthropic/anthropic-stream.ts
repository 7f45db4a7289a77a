// A streamed answer from a tier that speaks Anthropic's protocol: its bytes go to Claude Code untouched.
// While held back each chunk is also parsed (has content started? an early error?); once released only
// the last 16 KB are kept, to read the final usage and whether the stream ended with message_stop.
// Each parsed event is checked (anthropic-event.ts): one of the wrong shape is skipped with a warning,
// its bytes still pass.

import { createFrameEnd, createSSEParser, encodeSSE, parseJSONData } from '../../wire/sse.ts';
import { errorBody } from '../../wire/errors.ts';
import { responseHeaders, type HeaderMap } from '../../headers.ts';
import type { AnswerStream, Relayed } from '../provider.ts';
import type { StreamEvent } from '../../wire/types.ts';
import { anthropicEventOf } from './anthropic-event.ts';

/** How much of a passed-through stream's end is kept to read the final usage from. */
const TAIL_BYTES = 16 * 1024;

export function createPassThroughStream(upstreamHeaders: HeaderMap): AnswerStream {
  const parser = createSSEParser();
  const decoder = new TextDecoder();
  let tail: Buffer[] = [];
  let tailBytes = 0;
  // Every byte sent, held back or live, moves it: a cut can come in either phase.
  const frameEnd = createFrameEnd();
  let warnings: string[] = [];
  const warn = (w: string) => void warnings.push(w);
  const checked = (data: unknown[], to = warn): StreamEvent[] => data.flatMap((d) => anthropicEventOf(d, to) ?? []);
  /** What one call relays, with the warnings its events gave. */
  const relayed = (events: StreamEvent[], out: Buffer | string | null): Relayed => {
    if (warnings.length === 0) return { events, out };
    const w = warnings;
    warnings = [];
    return { events, out, warnings: w };
  };

  /** The events at the end of the stream (its final usage, whether it stopped properly), read once. */
  function readTail(): StreamEvent[] {
    if (tail.length === 0) return [];
    const tailParser = createSSEParser();
    const text = Buffer.concat(tail).toString('utf8');
    tail = [];
    tailBytes = 0;
    // The tail may begin mid-frame: what does not parse there is no news, so it is skipped silently.
    const frames = [...tailParser.push(text), ...tailParser.end()].filter(
      (e) => e.data.includes('"usage"') || e.event === 'message_stop' || e.event === 'error',
    );
    return checked(frames.map(parseJSONData), () => {});
  }

  return {
    headers: responseHeaders(upstreamHeaders, ['content-encoding']),
    held(chunk) {
      const sse = chunk ? parser.push(decoder.decode(chunk, { stream: true })) : [...parser.push(decoder.decode()), ...parser.end()];
      if (chunk) frameEnd.see(chunk);
      return relayed(checked(sse.map(parseJSONData)), chunk);
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
    end: () => relayed(readTail(), null),
    cutOff(type, message) {
      // A frame cut mid-way is closed first (as a ping), so the error frame parses on its own.
      return relayed(readTail(), frameEnd.closer() + encodeSSE('error', errorBody(type, message)));
    },
  };
}

// Streams an upstream answer to Claude Code. Until the first content block it holds everything back
// (bounded by `holdbackMs`), so an early failure can still fall back unseen; after that there is no
// switching and a failure becomes an Anthropic `error` event that ends the stream properly.
// Pass-through ("bytes") forwards the upstream bytes untouched; translation ("events") sends the
// Anthropic events the provider's transform makes.

import type { ServerResponse } from 'node:http';
import type { StreamEvent } from '../wire/types.ts';
import type { EventTransform, UpstreamError } from '../providers/provider.ts';
import type { UpstreamResponse } from './upstream.ts';
import { transportError } from './upstream.ts';
import { createSSEParser, encodeSSE, type SSEEvent } from '../wire/sse.ts';
import { applyEventUsage, emptyUsage, type TokenUsage } from '../wire/usage.ts';
import { errorBody } from '../wire/errors.ts';
import { typeForStatus } from '../providers/anthropic/anthropic-error.ts';

export type RelayMode = { kind: 'bytes' } | { kind: 'events'; transform: EventTransform };

export type RelayOptions = {
  res: ServerResponse;
  upstream: UpstreamResponse;
  mode: RelayMode;
  /** Headers for the client once the answer is released. */
  headers: Record<string, string | string[]>;
  holdbackMs: number;
  /** No body byte at all within this time (after the headers): a `timeout` failure that may fall back. */
  firstByteTimeoutMs: number;
  /** Runs once, before the first byte reaches the client (the switch's auto-commit happens here). */
  release: () => Promise<void>;
  signal: AbortSignal;
};

export type RelayResult =
  | { kind: 'failed'; error: UpstreamError }
  | { kind: 'done'; usage: TokenUsage; ok: boolean };

/** How much of a passed-through stream's end is kept to read the final usage from. */
const TAIL_BYTES = 16 * 1024;

export async function relayStream(opts: RelayOptions): Promise<RelayResult> {
  const { res, upstream, mode } = opts;
  const usage = emptyUsage();
  const parser = createSSEParser();
  const decoder = new TextDecoder();
  const held: (Buffer | string)[] = [];
  let released = false;
  let lastByteEndedFrame = true;
  const tail: Buffer[] = [];
  let tailBytes = 0;

  const iterator = (upstream.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  // One read of the upstream is in flight at a time, and it is kept until its chunk is used: a timer
  // that wins the race against it (holdback, first byte) must never make the proxy drop that chunk.
  let pending: Promise<IteratorResult<Buffer>> | null = null;
  const nextChunk = (): Promise<IteratorResult<Buffer>> => {
    if (!pending) {
      pending = iterator.next();
      pending.catch(() => {}); // a read that fails after the relay returned is nobody's to handle
    }
    return pending;
  };
  const took = <T>(value: T): T => {
    pending = null;
    return value;
  };
  let sawStop = false;
  let sawError = false;
  const seen = (e: unknown) => {
    applyEventUsage(usage, e);
    const type = (e as { type?: string } | null)?.type;
    if (type === 'message_stop') sawStop = true;
    else if (type === 'error') sawError = true;
  };
  let timer: NodeJS.Timeout | undefined;
  let firstByte = true;
  let timeout = new Promise<'first-byte'>((resolve) => {
    timer = setTimeout(() => resolve('first-byte'), opts.firstByteTimeoutMs);
  }) as Promise<'first-byte' | 'timeout'>;

  /** Anthropic events for the output of one chunk, and what to send for it. */
  function take(chunk: Buffer | null): { events: unknown[]; out: Buffer | string | null } {
    const sse: SSEEvent[] = chunk ? parser.push(decoder.decode(chunk, { stream: true })) : [...parser.push(decoder.decode()), ...parser.end()];
    if (mode.kind === 'bytes') return { events: sse.map(parseData), out: chunk };
    const events: StreamEvent[] = [];
    for (const e of sse) events.push(...mode.transform.transform(e));
    if (!chunk) events.push(...mode.transform.flush());
    return { events, out: events.length > 0 ? events.map((e) => encodeSSE(e.type, e)).join('') : null };
  }

  async function release(): Promise<void> {
    if (released) return;
    released = true;
    clearTimeout(timer);
    await opts.release();
    res.writeHead(upstream.statusCode, opts.headers);
    // What was held back goes out in one write, which carries the headers too: one packet, not one per part.
    const first = held.length <= 1 ? held[0] : Buffer.concat(held.map((h) => (typeof h === 'string' ? Buffer.from(h) : h)));
    held.length = 0;
    if (first === undefined) res.flushHeaders();
    else await write(res, first);
  }

  async function send(out: Buffer | string): Promise<void> {
    if (!released) return void held.push(out);
    await write(res, out);
  }

  try {
    // Phase 1: hold back until content starts, the holdback time is up, or the answer ends.
    while (!released) {
      const next = await Promise.race([nextChunk(), timeout]);
      if (next === 'first-byte') {
        upstream.body.destroy();
        return { kind: 'failed', error: { status: 0, type: 'timeout_error', message: `no answer within ${opts.firstByteTimeoutMs} ms`, transport: 'timeout' } };
      }
      if (next === 'timeout') {
        await release();
        break;
      }
      took(next);
      if (firstByte) {
        // The holdback clock starts with the first byte.
        firstByte = false;
        clearTimeout(timer);
        timeout = new Promise((resolve) => {
          timer = setTimeout(() => resolve('timeout'), opts.holdbackMs);
        });
      }
      const { events, out } = take(next.done ? null : next.value);
      let contentStarted = false;
      for (const e of events) {
        seen(e);
        contentStarted ||= startsContent(e);
        // An error after content started (even in the same chunk) is the client's to see.
        const error = contentStarted ? null : earlyError(e);
        if (error) {
          upstream.body.destroy();
          return { kind: 'failed', error };
        }
      }
      if (out) await send(out);
      if (next.done) {
        if (!sawStop && !sawError) {
          upstream.body.destroy();
          return { kind: 'failed', error: { status: 0, type: 'api_error', message: 'upstream closed the stream before it began', transport: 'network' } };
        }
        await release();
        res.end();
        return { kind: 'done', usage, ok: sawStop && !sawError };
      }
      if (contentStarted) await release();
    }

    // Phase 2: forward as it comes. For pass-through the bytes go untouched; only the tail is kept.
    for (;;) {
      const next = took(await nextChunk());
      if (next.done) break;
      if (mode.kind === 'bytes') {
        const chunk = next.value;
        // A copy of at most TAIL_BYTES: keeping the chunk itself would keep its whole socket read buffer alive.
        const kept = Buffer.from(chunk.length > TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : chunk);
        tail.push(kept);
        tailBytes += kept.length;
        while (tail.length > 1 && tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= tail.shift()!.length;
        lastByteEndedFrame = endsFrame(chunk);
        await write(res, chunk);
      } else {
        const { events, out } = take(next.value);
        events.forEach(seen);
        if (out) await write(res, out);
      }
      if (opts.signal.aborted) return { kind: 'done', usage, ok: false };
    }
    if (mode.kind === 'events') {
      const { events, out } = take(null);
      events.forEach(seen);
      if (out) await write(res, out);
    } else {
      readTail(tail, seen);
      // A clean end without message_stop still lost the rest of the answer: say so, don't end as if whole.
      if (!sawStop && !sawError) res.write(endOfFrame(lastByteEndedFrame) + encodeSSE('error', errorBody('api_error', 'upstream ended the stream before message_stop')));
    }
    res.end();
    // A stream that ended without message_stop (or with an error event) lost part of its answer.
    return { kind: 'done', usage, ok: sawStop && !sawError };
  } catch (err) {
    clearTimeout(timer);
    if (opts.signal.aborted) return { kind: 'done', usage, ok: false };
    const failure = transportError(err);
    if (!released) return { kind: 'failed', error: failure };
    // After content went out: no switching; the failure becomes an error event and the stream ends.
    if (mode.kind === 'bytes') readTail(tail, seen);
    const frame = encodeSSE('error', errorBody(failure.type, failure.message));
    res.end(endOfFrame(lastByteEndedFrame) + frame);
    return { kind: 'done', usage, ok: false };
  } finally {
    clearTimeout(timer);
  }
}

function parseData(e: SSEEvent): unknown {
  try {
    return JSON.parse(e.data);
  } catch {
    return null;
  }
}

function startsContent(e: unknown): boolean {
  const type = (e as { type?: string } | null)?.type;
  return type === 'content_block_start' || type === 'message_delta' || type === 'message_stop';
}

/** An `error` event before anything was forwarded: the same failure as an error status, so it can fall back. */
function earlyError(e: unknown): UpstreamError | null {
  const ev = e as { type?: string; error?: { type?: string; message?: string } } | null;
  if (ev?.type !== 'error') return null;
  const type = (ev.error?.type ?? 'api_error') as UpstreamError['type'];
  return { status: statusForType(type), type, message: ev.error?.message ?? 'upstream stream error' };
}

function statusForType(type: string): number {
  for (const status of [429, 529, 500, 504, 400, 401, 402, 403, 404, 413]) if (typeForStatus(status) === type) return status;
  return 500;
}

/** What closes a passed-through frame cut mid-way, so an error frame after it parses on its own. */
function endOfFrame(lastByteEndedFrame: boolean): string {
  return lastByteEndedFrame ? '' : '\n\n';
}

function endsFrame(chunk: Buffer): boolean {
  const n = chunk.length;
  return n >= 2 && chunk[n - 1] === 10 && (chunk[n - 2] === 10 || (chunk[n - 2] === 13 && n >= 3 && chunk[n - 3] === 10));
}

/** The events at the end of a passed-through stream (its final usage, whether it stopped properly). */
function readTail(tail: Buffer[], seen: (e: unknown) => void): void {
  if (tail.length === 0) return;
  const parser = createSSEParser();
  const text = Buffer.concat(tail).toString('utf8');
  for (const e of [...parser.push(text), ...parser.end()]) {
    if (e.data.includes('"usage"') || e.event === 'message_stop' || e.event === 'error') seen(parseData(e));
  }
}

function write(res: ServerResponse, chunk: Buffer | string): Promise<void> | void {
  if (res.destroyed) return;
  if (res.write(chunk)) return;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

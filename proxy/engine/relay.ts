// Streams an upstream answer to Claude Code. Until the first content block it holds everything back
// (bounded by `holdbackMs`), so an early failure can still fall back unseen; after that there is no
// switching and a failure becomes an Anthropic `error` event that ends the stream properly. What goes
// out for each upstream chunk is the answer stream's choice (the provider adapter's): the relay only
// holds, releases, watches the events and ends. The answer's first tool call (the chunk that carries its
// content_block_start) waits for the caller's `beforeTools` barrier: Claude Code cannot start a tool it has not
// seen, so holding that chunk holds its tools (it runs them as each block completes, streaming tool execution,
// "always enabled" since 2.1.154: https://github.com/bloknayrb/tandem/issues/1043 quotes the release notes), and
// nothing before it waits.

import type { ServerResponse } from 'node:http';
import type { AnswerStream, Relayed, UpstreamError } from '../providers/provider.ts';
import type { StreamEvent } from '../wire/types.ts';
import type { UpstreamResponse } from './upstream.ts';
import { transportError } from './upstream.ts';
import { applyEventUsage, emptyUsage, type TokenUsage } from '../wire/usage.ts';
import { statusForType } from '../wire/errors.ts';
import { writeToClient } from './client-write.ts';

export type RelayOptions = {
  res: ServerResponse;
  upstream: UpstreamResponse;
  answer: AnswerStream;
  holdbackMs: number;
  /** No body byte at all within this time (after the headers): a `timeout` failure that may fall back. */
  firstByteTimeoutMs: number;
  /** Runs once, before the first byte reaches the client (the switch's auto-commit happens here). */
  release: () => Promise<void>;
  signal: AbortSignal;
  /** Where the answer stream's warnings go (an upstream chunk it could not read and skipped). */
  warn?: (line: string) => void;
  /**
   * Told the id and name of each tool call the answer makes, as its block starts (which tier wrote it:
   * proxy/attribution/); a function it returns is given the call's input once the block is complete.
   */
  onToolUse?: ToolUseTap;
  /**
   * Called once, when the answer's first tool_use block is about to go out; that chunk and the rest go out when it
   * resolves (it bounds its own wait), or the relay stops at once if the client leaves meanwhile.
   */
  beforeTools?: () => Promise<void>;
};

export type ToolUseTap = (id: string, name: string) => ((input: unknown) => void) | void;

/** The most input JSON kept for one tool call whose input was asked for; a bigger one is not passed on. */
const MAX_TOOL_INPUT_BYTES = 4 * 1024 * 1024;

export type RelayResult = { kind: 'failed'; error: UpstreamError } | { kind: 'done'; usage: TokenUsage; ok: boolean };

type Deadline = 'first-byte' | 'holdback';

/** One relay's state: what it has seen, what it holds back, and its one read of the upstream in flight. */
type Run = {
  opts: RelayOptions;
  usage: TokenUsage;
  sawStop: boolean;
  sawError: boolean;
  held: (Buffer | string)[];
  released: boolean;
  timer: NodeJS.Timeout | undefined;
  iterator: AsyncIterator<Buffer>;
  /** Kept until its chunk is used: a timer that wins the race against it must never make the relay drop that chunk. */
  pending: Promise<IteratorResult<Buffer>> | null;
  /** Tool calls whose input was asked for, by block index: the input JSON so far. */
  inputs: Map<number, { json: string; take: (input: unknown) => void }>;
  /** beforeTools was waited for (once per answer). */
  toolsHeld: boolean;
};

export async function relayStream(opts: RelayOptions): Promise<RelayResult> {
  const run: Run = {
    opts,
    usage: emptyUsage(),
    sawStop: false,
    sawError: false,
    held: [],
    released: false,
    timer: undefined,
    iterator: (opts.upstream.body as AsyncIterable<Buffer>)[Symbol.asyncIterator](),
    pending: null,
    inputs: new Map(),
    toolsHeld: false,
  };
  try {
    return (await holdBack(run)) ?? (await streamRest(run));
  } catch (err) {
    return afterFailure(run, err);
  } finally {
    clearTimeout(run.timer);
  }
}

/** Phase 1: hold back until content starts, the holdback time is up, or the answer ends. Null once released. */
async function holdBack(run: Run): Promise<RelayResult | null> {
  const { opts } = run;
  let deadline = timeout(run, opts.firstByteTimeoutMs, 'first-byte');
  let firstByte = true;
  while (!run.released) {
    const next = await Promise.race([read(run), deadline]);
    if (next === 'first-byte')
      return failed(run, {
        status: 0,
        type: 'timeout_error',
        message: `no answer within ${opts.firstByteTimeoutMs} ms`,
        transport: 'timeout',
      });
    if (next === 'holdback') {
      await release(run);
      break;
    }
    run.pending = null;
    if (firstByte) {
      // The holdback clock starts with the first byte. A body that is not an event stream (a gateway that
      // answered `stream: true` with JSON) has no part to release early: it is held whole, so a cut one
      // still falls back (the idle timeout bounds its wait).
      firstByte = false;
      clearTimeout(run.timer);
      deadline = isEventStream(opts.upstream) ? timeout(run, opts.holdbackMs, 'holdback') : new Promise<never>(() => {});
    }
    const { events, out } = heard(run, opts.answer.held(next.done ? null : next.value));
    let contentStarted = false;
    for (const e of events) {
      seen(run, e);
      contentStarted ||= startsContent(e);
      // An error after content started (even in the same chunk) is the client's to see.
      const error = contentStarted ? null : earlyError(e);
      if (error) return failed(run, error);
    }
    if (mustHoldTools(run, events)) {
      await release(run); // what came before the tool call (and the headers) need not wait
      if (!(await holdTools(run))) return { kind: 'done', usage: run.usage, ok: false };
    }
    if (out) await send(run, out);
    if (next.done) return endedWhileHeld(run);
    if (contentStarted) await release(run);
  }
  return null;
}

/** The answer ended before the holdback let anything out: whole (send it), or cut before it began (fall back). */
async function endedWhileHeld(run: Run): Promise<RelayResult> {
  if (!run.sawStop && !run.sawError) {
    return failed(run, { status: 0, type: 'api_error', message: 'upstream closed the stream before it began', transport: 'network' });
  }
  await release(run);
  run.opts.res.end();
  return done(run);
}

/** Phase 2: forward as it comes, then end; a stream that ended without message_stop says so. */
async function streamRest(run: Run): Promise<RelayResult> {
  const { res, answer, signal } = run.opts;
  let upstreamEnded = false;
  // The answer is over at message_stop or an error event, even if the upstream keeps its connection open.
  while (!run.sawStop && !run.sawError) {
    const next = await read(run);
    run.pending = null;
    if (next.done) {
      upstreamEnded = true;
      break;
    }
    const { events, out } = heard(run, answer.live(next.value));
    events.forEach((e) => seen(run, e));
    if (mustHoldTools(run, events) && !(await holdTools(run))) return { kind: 'done', usage: run.usage, ok: false };
    if (out) await writeToClient(res, out);
    if (signal.aborted) return { kind: 'done', usage: run.usage, ok: false };
  }
  if (!upstreamEnded) letGo(run);
  const last = heard(run, answer.end());
  last.events.forEach((e) => seen(run, e));
  if (mustHoldTools(run, last.events) && !(await holdTools(run))) return { kind: 'done', usage: run.usage, ok: false };
  if (last.out) await writeToClient(res, last.out);
  // A clean end without message_stop still lost the rest of the answer: say so, don't end as if whole.
  if (!run.sawStop && !run.sawError) res.write(answer.cutOff('api_error', 'upstream ended the stream before message_stop').out ?? '');
  res.end();
  return done(run);
}

/** How long an upstream may take to end its answer after the last event before its request is closed. */
const AFTER_END_GRACE_MS = 1000;

/**
 * The client has its whole answer; the upstream's end (usually in the same packet) is read and dropped,
 * so its connection can serve the next request. An upstream that stays open is closed after the grace.
 */
function letGo(run: Run): void {
  const body = run.opts.upstream.body;
  const timer = setTimeout(() => body.destroy(), AFTER_END_GRACE_MS);
  const drain = async () => {
    while (!(await read(run)).done) run.pending = null;
  };
  drain()
    .catch(() => {})
    .finally(() => clearTimeout(timer));
}

/** A failure while reading: before the release it may fall back; after it the stream ends with an error event. */
function afterFailure(run: Run, err: unknown): RelayResult {
  clearTimeout(run.timer);
  if (run.opts.signal.aborted) return { kind: 'done', usage: run.usage, ok: false };
  const failure = transportError(err);
  if (!run.released) return { kind: 'failed', error: failure };
  // After content went out: no switching; the failure becomes an error event and the stream ends.
  const cut = run.opts.answer.cutOff(failure.type, failure.message);
  cut.events.forEach((e) => seen(run, e));
  run.opts.res.end(cut.out ?? '');
  return { kind: 'done', usage: run.usage, ok: false };
}

/** One read of the upstream in flight at a time. */
function read(run: Run): Promise<IteratorResult<Buffer>> {
  if (!run.pending) {
    run.pending = run.iterator.next();
    run.pending.catch(() => {}); // a read that fails after the relay returned is nobody's to handle
  }
  return run.pending;
}

function timeout(run: Run, ms: number, what: Deadline): Promise<Deadline> {
  return new Promise((resolve) => {
    run.timer = setTimeout(() => resolve(what), ms);
  });
}

async function release(run: Run): Promise<void> {
  if (run.released) return;
  run.released = true;
  clearTimeout(run.timer);
  const { res, answer } = run.opts;
  await run.opts.release();
  res.writeHead(run.opts.upstream.statusCode, answer.headers);
  // What was held back goes out in one write, which carries the headers too: one packet, not one per part.
  const first = run.held.length <= 1 ? run.held[0] : Buffer.concat(run.held.map((h) => (typeof h === 'string' ? Buffer.from(h) : h)));
  run.held.length = 0;
  if (first === undefined) res.flushHeaders();
  else await writeToClient(res, first);
}

async function send(run: Run, out: Buffer | string): Promise<void> {
  if (!run.released) return void run.held.push(out);
  await writeToClient(run.opts.res, out);
}

/** These events start the answer's first tool call (the relay has not waited yet). */
function mustHoldTools(run: Run, events: readonly StreamEvent[]): boolean {
  if (!run.opts.beforeTools || run.toolsHeld) return false;
  return events.some((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
}

/** Waits for beforeTools, once. False when the client left meanwhile (the relay stops at once). */
async function holdTools(run: Run): Promise<boolean> {
  run.toolsHeld = true;
  await untilOrAborted(run.opts.beforeTools!(), run.opts.signal);
  return !run.opts.signal.aborted;
}

/** Resolves when `gate` does or the signal aborts, whichever comes first. */
export function untilOrAborted(gate: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    gate.then(done, done);
  });
}

/** One piece of the answer stream, its warnings passed on to the log. */
function heard(run: Run, relayed: Relayed): Relayed {
  for (const w of relayed.warnings ?? []) run.opts.warn?.(w);
  return relayed;
}

function seen(run: Run, e: StreamEvent): void {
  applyEventUsage(run.usage, e);
  if (run.opts.onToolUse) tapToolUse(run, e);
  if (e.type === 'message_stop') run.sawStop = true;
  else if (e.type === 'error') run.sawError = true;
}

/** Tells onToolUse of each tool call, and gives the input to those that asked for it once their block stops. */
function tapToolUse(run: Run, e: StreamEvent): void {
  if (e.type === 'content_block_start' && e.content_block.type === 'tool_use') {
    const take = run.opts.onToolUse!(e.content_block.id, e.content_block.name);
    if (take) run.inputs.set(e.index, { json: '', take });
  } else if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') {
    const call = run.inputs.get(e.index);
    if (!call) return;
    call.json += e.delta.partial_json;
    if (call.json.length > MAX_TOOL_INPUT_BYTES) run.inputs.delete(e.index);
  } else if (e.type === 'content_block_stop') {
    const call = run.inputs.get(e.index);
    if (!call) return;
    run.inputs.delete(e.index);
    try {
      call.take(JSON.parse(call.json === '' ? '{}' : call.json));
    } catch {
      // an input that is not JSON: Claude Code cannot run that call either
    }
  }
}

function failed(run: Run, error: UpstreamError): RelayResult {
  run.opts.upstream.body.destroy();
  return { kind: 'failed', error };
}

/** A stream that ended without message_stop (or with an error event) lost part of its answer. */
function done(run: Run): RelayResult {
  return { kind: 'done', usage: run.usage, ok: run.sawStop && !run.sawError };
}

function isEventStream(upstream: UpstreamResponse): boolean {
  const type = upstream.headers['content-type'];
  return /^text\/event-stream\b/i.test(String(Array.isArray(type) ? type[0] : (type ?? '')));
}

function startsContent(e: StreamEvent): boolean {
  return e.type === 'content_block_start' || e.type === 'message_delta' || e.type === 'message_stop';
}

/** An `error` event before anything was forwarded: the same failure as an error status, so it can fall back. */
function earlyError(e: StreamEvent): UpstreamError | null {
  if (e.type !== 'error') return null;
  return { status: statusForType(e.error.type), type: e.error.type, message: e.error.message };
}

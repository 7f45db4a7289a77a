// A provider adapter for a protocol other than Anthropic's, made from the provider's four converters:
// its answers reach Claude Code as Anthropic events made by its stream transform (a whole answer too:
// the same events, accumulated into one Message), and its errors are shown in Anthropic's shape.

import type { Message, MessagesRequest, StreamEvent } from '../wire/types.ts';
import { createSSEParser, encodeSSE } from '../wire/sse.ts';
import { accumulateMessage } from '../wire/accumulate.ts';
import { errorAnswer, errorBody } from '../wire/errors.ts';
import { usageOf } from '../wire/usage.ts';
import type { HeaderMap } from '../headers.ts';
import { redact, tierSecrets } from '../redact.ts';
import {
  UpstreamResponseError,
  type AnswerStream,
  type EventTransform,
  type ProviderAdapter,
  type PrepareOptions,
  type Relayed,
  type UpstreamError,
  type UpstreamRequest,
  type Warn,
} from './provider.ts';

/** What each translating provider supplies; `C` is what its request converter hands its answer converters. */
export type Translator<C> = {
  toRequest(req: MessagesRequest, opts: PrepareOptions): { request: Omit<UpstreamRequest, 'method'>; warnings: string[]; context: C };
  /** `warn` takes what the converter could not read (an upstream chunk of the wrong shape, skipped). */
  createStreamTransform(context: C, requestedModel: string, warn: Warn): EventTransform;
  fromResponse(json: unknown, context: C, requestedModel: string): Message;
  parseError(status: number, headers: HeaderMap, body: string): UpstreamError;
};

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

export function translatingAdapter<C>(t: Translator<C>): ProviderAdapter {
  return {
    prepare(req, opts) {
      const { request, warnings, context } = t.toRequest(req.body, opts);
      const model = req.body.model;
      return {
        request: { ...request, method: 'POST' },
        warnings,
        answer: {
          stream: () => translatedStream((warn) => t.createStreamTransform(context, model, warn), tierSecrets(opts.tier)),
          whole({ json }) {
            const message = t.fromResponse(json, context, model);
            return { body: JSON.stringify(message), headers: { 'content-type': 'application/json' }, usage: usageOf(message) };
          },
        },
      };
    },
    parseError: t.parseError,
    clientError: (error, _upstream, tier) => errorAnswer(error.status || 502, error.type, `${tier.name}: ${error.message}`),
  };
}

/**
 * The provider's SSE through its transform: every chunk is parsed, and what goes out is Anthropic SSE.
 * An error event's message may quote the tier's key: it goes out redacted, and so do the warnings.
 */
export function translatedStream(makeTransform: (warn: Warn) => EventTransform, secrets: string[]): AnswerStream {
  const parser = createSSEParser();
  const decoder = new TextDecoder();
  let warnings: string[] = [];
  const transform = makeTransform((w) => void warnings.push(redact(w, secrets)));
  const read = (chunk: Buffer | null): Relayed => {
    const sse = chunk ? parser.push(decoder.decode(chunk, { stream: true })) : [...parser.push(decoder.decode()), ...parser.end()];
    const events: StreamEvent[] = [];
    for (const e of sse) events.push(...transform.transform(e));
    if (!chunk) events.push(...transform.flush());
    for (const [i, e] of events.entries())
      if (e.type === 'error') events[i] = { ...e, error: { ...e.error, message: redact(e.error.message, secrets) } };
    const out = events.length > 0 ? events.map((e) => encodeSSE(e.type, e)).join('') : null;
    if (warnings.length === 0) return { events, out };
    const said = warnings;
    warnings = [];
    return { events, out, warnings: said };
  };
  return {
    headers: SSE_HEADERS,
    held: read,
    live: read,
    end: () => read(null),
    cutOff: (type, message) => ({ events: [], out: encodeSSE('error', errorBody(type, message)) }),
  };
}

/** A whole answer from the events its stream converter made; an `error` event means there is no Message. */
export function messageFromEvents(events: readonly StreamEvent[], requestedModel: string): Message {
  const { message, error } = accumulateMessage(events, requestedModel);
  if (error) throw new UpstreamResponseError({ status: 200, type: error.type, message: error.message });
  return message;
}

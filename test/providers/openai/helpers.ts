// Test helpers for the OpenAI adapter: the JSON payloads of an OpenAI SSE fixture, read by the test.

import { sseEvents } from '../../helpers/events.ts';

/** The JSON payloads of an OpenAI SSE fixture (without `[DONE]`). */
export function chunks(text: string): Record<string, unknown>[] {
  return sseEvents(text)
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as Record<string, unknown>);
}

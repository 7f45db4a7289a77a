// Test helpers for the Gemini adapter: the chunks of a Gemini fixture, read by the test.

import { sseEvents } from '../../helpers/events.ts';

/** The `data:` payloads of a Gemini fixture, parsed: the source of every expectation. */
export function fixtureChunks(text: string): GeminiChunk[] {
  return sseEvents(text).map((e) => JSON.parse(e.data) as GeminiChunk);
}

export type GeminiChunk = {
  candidates?: {
    content?: {
      parts?: {
        text?: string;
        thought?: boolean;
        thoughtSignature?: string;
        functionCall?: { id?: string; name: string; args?: unknown };
      }[];
    };
    finishReason?: string;
  }[];
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    thoughtsTokenCount?: number;
    cachedContentTokenCount?: number;
  };
};

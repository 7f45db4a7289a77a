// geminiAdapter.prepare: URL per stream mode, headers built from scratch, key only in x-goog-api-key.

import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../proxy/wire/types.ts';
import type { TierConfig } from '../../../proxy/config.ts';
import { geminiAdapter } from '../../../proxy/providers/gemini/gemini-adapter.ts';
import { createConversationStore } from '../../../proxy/providers/provider.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { answerEvents, sdkFinalMessage } from '../../helpers/events.ts';
import { clientRequest } from '../../helpers/requests.ts';

const tier: TierConfig = {
  name: 'gemini-flash',
  protocol: 'gemini',
  baseUrl: 'https://generativelanguage.googleapis.com',
  apiKey: 'AIza-test-key',
  model: 'gemini-2.5-flash',
  headers: { 'x-extra': 'yes' },
};
const captured = (JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as { body: MessagesRequest }[])[0].body;

describe('geminiAdapter', () => {
  it('streams from :streamGenerateContent?alt=sse with the key in x-goog-api-key only', () => {
    const { request } = geminiAdapter.prepare(clientRequest(captured), {
      tier,
      model: 'gemini-2.5-flash',
      stream: true,
      store: createConversationStore(),
    });
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(request.url).not.toContain(tier.apiKey);
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-extra': 'yes',
      'x-goog-api-key': tier.apiKey,
    });
    expect(String(request.body)).not.toContain(tier.apiKey);
    expect(JSON.parse(String(request.body))).toHaveProperty('contents');
  });

  it('uses :generateContent when not streaming', () => {
    const { request } = geminiAdapter.prepare(clientRequest(captured), {
      tier,
      model: 'gemini-2.5-pro',
      stream: false,
      store: createConversationStore(),
    });
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('hands its context to its answer stream, so a fixture stream comes out as an Anthropic message', async () => {
    const { answer } = geminiAdapter.prepare(clientRequest(captured), {
      tier,
      model: 'gemini-2.5-flash',
      stream: true,
      store: createConversationStore(),
    });
    const stream = answer.stream({});
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const message = await sdkFinalMessage(answerEvents(stream, fixture('gemini-stream-function-call.sse')));
    expect(message.stop_reason).toBe('tool_use');
    expect(message.model).toBe(captured.model);
  });
});

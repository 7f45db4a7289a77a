// A non-streaming OpenAI Chat Completions response → an Anthropic Message: the choice's message becomes
// the one chunk of a stream, through the same transform as a streamed answer (one mapping to test), and
// its events are accumulated. Errors a 200 can carry are UpstreamResponseErrors.

import type { Message } from '../../wire/types.ts';
import { UpstreamResponseError } from '../provider.ts';
import { messageFromEvents } from '../translated.ts';
import { mapOpenAIStreamErrorType } from './openai-error.ts';
import { createOpenAIStreamTransform } from './openai-stream.ts';
import { openAIResponseProblem } from './openai-chunk.ts';
import type { OpenAIChatResponse, OpenAIChunk, OpenAIContext } from './openai-types.ts';

export function fromOpenAIResponse(json: unknown, context: OpenAIContext, requestedModel: string): Message {
  const problem = openAIResponseProblem(json);
  if (problem !== null) throw new UpstreamResponseError({ status: 502, type: 'api_error', message: `upstream sent an answer ${problem}` });
  const res = json as OpenAIChatResponse;
  if (res.error) {
    throw new UpstreamResponseError({
      status: 200,
      type: mapOpenAIStreamErrorType(res.error),
      message: `upstream error: ${res.error.message ?? JSON.stringify(res.error)}`,
    });
  }
  const choice = res.choices?.find((c) => (c.index ?? 0) === 0);
  if (!choice?.message) throw new UpstreamResponseError({ status: 200, type: 'api_error', message: 'upstream response has no choices' });
  if (choice.finish_reason === 'error')
    throw new UpstreamResponseError({ status: 200, type: 'api_error', message: 'upstream finished with finish_reason "error"' });

  const m = choice.message;
  const chunk: OpenAIChunk = {
    choices: [
      {
        index: 0,
        delta: {
          content: m.content,
          refusal: m.refusal,
          reasoning_content: m.reasoning_content ?? m.reasoning,
          // A whole answer's calls come whole, in order; one without a name still keeps its place.
          tool_calls: m.tool_calls?.map((c, index) => ({
            index,
            id: c.id,
            function: { name: c.function?.name ?? 'unknown_tool', arguments: c.function?.arguments ?? '' },
          })),
        },
        // A missing finish_reason ends the answer as `stop` would (a whole answer is never cut off).
        finish_reason: choice.finish_reason ?? 'stop',
      },
    ],
    usage: res.usage,
  };
  const transform = createOpenAIStreamTransform(context, requestedModel);
  return messageFromEvents([...transform.transform({ data: JSON.stringify(chunk) }), ...transform.flush()], requestedModel);
}

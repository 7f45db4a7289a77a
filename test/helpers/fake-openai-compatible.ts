// OpenAI-compatible servers, each with the rules and stream quirks of one vendor the proxy must respect
// (every rule cites where it is documented or reported):
// - openai: o-series reject `parallel_tool_calls` and `max_tokens`;
// - mistral: pydantic `extra_forbidden` 422 for `stream_options` and `max_completion_tokens`;
// - deepseek: thinking on by default; tool-call turns must bring `reasoning_content` back;
// - google (`/v1beta/openai/`): Gemini 2.5 and 3 tool calls carry `extra_content.google.thought_signature`,
//   which must come back on the current turn's calls (or Google's placeholder on calls Gemini did not make);
//   tool-call deltas come without `index`, and the finish says "stop";
// - openrouter: Gemini's `reasoning_details` must come back on tool-call turns;
// - vllm: a fixed context window (`max_model_len`).

import { randomBytes } from 'node:crypto';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from './fake-upstream.ts';
import { openAISSE, type OpenAIDelta } from './vendor-sse.ts';

export type Flavor = 'openai' | 'mistral' | 'deepseek' | 'google' | 'openrouter' | 'vllm';

type ToolCall = {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  extra_content?: { google?: { thought_signature?: string } };
};
type ChatMessage = {
  role: string;
  content?: unknown;
  tool_calls?: ToolCall[];
  reasoning_content?: unknown;
  reasoning_details?: { type?: string; data?: string }[];
};
export type ChatBody = {
  model?: string;
  messages?: ChatMessage[];
  stream?: boolean;
  stream_options?: unknown;
  max_tokens?: number;
  max_completion_tokens?: number;
  parallel_tool_calls?: unknown;
  thinking?: { type?: string };
  tools?: unknown[];
};

export type ScriptedChatTurn = {
  text?: string;
  reasoning?: string;
  calls?: { name: string; args: Record<string, unknown>; id?: string }[];
};

export type FakeOpenAIOptions = {
  flavor: Flavor;
  key: string;
  reply: (body: ChatBody, i: number) => ScriptedChatTurn;
  /** vllm: --max-model-len. */
  contextWindow?: number;
  /** How tool-call deltas are indexed: by position (default), all at 0 with new ids (seen behind some
   * relays: https://github.com/su-kaka/gcli2api/pull/406, https://github.com/dyedd/lens/issues/49), or
   * none at all (Google's endpoint, below). */
  indexes?: 'position' | 'zero' | 'none';
};

export type FakeOpenAI = FakeUpstream & { verdicts: { status: number; message?: string }[] };

const openAIError = (status: number, message: string, param: string | null, code: string | null): Reply => ({
  kind: 'json',
  status,
  body: { error: { message, type: 'invalid_request_error', param, code } },
});

/** https://github.com/dnakov/anon-kode/issues/53, https://github.com/editor-code-assistant/eca/issues/231 */
const mistralExtra = (loc: string[], input: unknown): Reply => ({
  kind: 'json',
  status: 422,
  body: {
    object: 'error',
    message: {
      detail: [
        {
          type: 'extra_forbidden',
          loc: ['body', ...loc],
          msg: 'Extra inputs are not permitted',
          input,
          url: 'https://errors.pydantic.dev/2.10/v/extra_forbidden',
        },
      ],
    },
    type: 'invalid_request_error',
    param: null,
    code: null,
  },
});

const isOSeries = (m: string) => /^o\d/.test(m);
const isGemini3 = (m: string) => /gemini-([3-9]|\d{2,})|gemini-(flash|pro|flash-lite)-latest/.test(m);
/**
 * The models Google's endpoint refuses an unsigned current-turn call for: Gemini 3 (and the `-latest`
 * aliases, https://ai.google.dev/gemini-api/docs/thought-signatures) and Gemini 2.5, which refuses the same
 * since 2026-04/05 (https://github.com/Mirrowel/LLM-API-Key-Proxy/issues/160,
 * https://github.com/Gitlawb/openclaude/issues/583). Written here apart from the proxy's rule table on purpose.
 */
const googleValidates = (m: string) => isGemini3(m) || /gemini-2\.5/.test(m);
/** DeepSeek V4 names, and deepseek-reasoner as the V4 alias (thinking) it was until its retirement. */
const deepSeekThinks = (m: string) => /^deepseek-(v4|flash|pro|reasoner)/.test(m);

function rejection(flavor: Flavor, body: ChatBody, issued: ReadonlySet<string>, window: number | undefined): Reply | null {
  const model = body.model ?? '';
  const messages = body.messages ?? [];
  switch (flavor) {
    case 'openai':
      // o1, o3-mini, o3, o4-mini reject it even when false (https://github.com/run-llama/llama_index/issues/20865,
      // https://github.com/microsoft/semantic-kernel/issues/10365).
      if (isOSeries(model) && body.parallel_tool_calls !== undefined)
        return openAIError(
          400,
          "Unsupported parameter: 'parallel_tool_calls' is not supported with this model.",
          'parallel_tool_calls',
          'unsupported_parameter',
        );
      // https://github.com/teilomillet/gollm/issues/33
      if (isOSeries(model) && body.max_tokens !== undefined)
        return openAIError(
          400,
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          'max_tokens',
          'unsupported_parameter',
        );
      return null;
    case 'mistral':
      if (body.stream_options !== undefined) return mistralExtra(['stream_options', 'include_usage'], true);
      if (body.max_completion_tokens !== undefined) return mistralExtra(['max_completion_tokens'], body.max_completion_tokens);
      return null;
    case 'deepseek':
      if (deepSeekThinks(model) && body.thinking?.type !== 'disabled') {
        // https://github.com/anomalyco/opencode/issues/24083 ("" is accepted: https://github.com/deepseek-ai/deepseek-harness/discussions/739)
        if (messages.some((m) => m.role === 'assistant' && m.tool_calls?.length && typeof m.reasoning_content !== 'string'))
          return openAIError(
            400,
            'The `reasoning_content` in the thinking mode must be passed back to the API.',
            null,
            'invalid_request_error',
          );
      }
      return null;
    case 'google': {
      if (!googleValidates(model)) return null;
      // Current turn: after the last user message. The first call of each assistant step must carry
      // its signature back as `extra_content.google.thought_signature` (https://ai.google.dev/gemini-api/docs/openai#thinking);
      // `skip_thought_signature_validator` is Google's placeholder for calls no Gemini model made
      // (https://ai.google.dev/gemini-api/docs/thought-signatures#faqs). The error body is Google's, as
      // reported from this endpoint: https://discuss.ai.google.dev/t/openai-api-compatibility-broken-due-to-thought-signature-on-gemini-3-pro-preview/109823
      let start = 0;
      messages.forEach((m, i) => {
        if (m.role === 'user') start = i + 1;
      });
      for (const m of messages.slice(start)) {
        const first = m.role === 'assistant' ? m.tool_calls?.[0] : undefined;
        if (!first) continue;
        const sig = first.extra_content?.google?.thought_signature;
        if (sig === undefined || (!issued.has(sig) && sig !== 'skip_thought_signature_validator'))
          return {
            kind: 'json',
            status: 400,
            body: [
              {
                error: {
                  code: 400,
                  message: `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${first.function?.name}\`, position 1. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
                  status: 'INVALID_ARGUMENT',
                },
              },
            ],
          };
      }
      return null;
    }
    case 'openrouter': {
      if (!isGemini3(model)) return null;
      // https://openrouter.ai/docs/use-cases/reasoning-tokens#preserving-reasoning-blocks; body as in
      // https://github.com/janhq/jan/issues/7009
      for (const m of messages) {
        if (m.role !== 'assistant' || !m.tool_calls?.length) continue;
        const kept = (m.reasoning_details ?? []).some((d) => d.type === 'reasoning.encrypted' && issued.has(String(d.data)));
        if (!kept)
          return {
            kind: 'json',
            status: 400,
            body: {
              error: {
                message: 'Gemini models require OpenRouter reasoning details to be preserved in each request.',
                type: 'invalid_request_error',
              },
            },
          };
      }
      return null;
    }
    case 'vllm': {
      if (window === undefined) return null;
      // vLLM counts messages plus the requested completion (https://github.com/vllm-project/vllm/issues/20409,
      // body as in https://github.com/ogx-ai/ogx/issues/4534); its own tokenizer, roughly 4 characters a token.
      const inMessages = Math.ceil(JSON.stringify(messages).length / 4);
      const completion = body.max_tokens ?? body.max_completion_tokens ?? 0;
      if (inMessages + completion > window)
        return {
          kind: 'json',
          status: 400,
          body: {
            object: 'error',
            message: `This model's maximum context length is ${window} tokens. However, you requested ${inMessages + completion} tokens (${inMessages} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`,
            type: 'BadRequestError',
            param: null,
            code: 400,
          },
        };
      return null;
    }
  }
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions): Promise<FakeOpenAI> {
  const verdicts: FakeOpenAI['verdicts'] = [];
  const issued = new Set<string>();
  const handler = (req: RecordedRequest): Reply => {
    if (!req.url.endsWith('/chat/completions')) return openAIError(404, `${req.url} not found`, null, null);
    if (req.headers.authorization !== `Bearer ${opts.key}`) return openAIError(401, 'Incorrect API key provided.', null, 'invalid_api_key');
    const body = (req.json ?? {}) as ChatBody;
    const refused = rejection(opts.flavor, body, issued, opts.contextWindow);
    if (refused) {
      verdicts.push({
        status: refused.kind === 'json' ? refused.status : 400,
        message: JSON.stringify((refused as { body: unknown }).body),
      });
      return refused;
    }
    const i = verdicts.length;
    verdicts.push({ status: 200 });
    const turn = opts.reply(body, i);
    const model = body.model ?? '';
    const deltas: OpenAIDelta[] = [{ role: 'assistant', content: null }];
    const reasoning =
      turn.reasoning ??
      (opts.flavor === 'deepseek' && deepSeekThinks(model) && body.thinking?.type !== 'disabled'
        ? `DeepSeek reasons about step ${i}.`
        : undefined);
    if (reasoning) deltas.push({ reasoning_content: reasoning });
    if (turn.text) deltas.push({ content: turn.text });
    const indexes = opts.indexes ?? (opts.flavor === 'google' ? 'none' : 'position');
    (turn.calls ?? []).forEach((c, k) => {
      const id =
        c.id ?? (opts.flavor === 'google' ? `function-call-${randomBytes(4).toString('hex')}` : 'call_' + randomBytes(8).toString('hex'));
      const call: Record<string, unknown> = { id, type: 'function', function: { name: c.name, arguments: '' } };
      if (indexes === 'position') call.index = k;
      if (indexes === 'zero') call.index = 0;
      const args = JSON.stringify(c.args);
      const signature = randomBytes(24).toString('base64');
      if (k === 0 && opts.flavor === 'google' && googleValidates(model)) {
        call.extra_content = { google: { thought_signature: signature } };
        issued.add(signature);
      }
      if (k === 0 && opts.flavor === 'openrouter' && isGemini3(model)) {
        issued.add(signature);
        deltas.push({ reasoning_details: [{ type: 'reasoning.encrypted', data: signature, format: 'google-gemini-v1', index: 0, id }] });
      }
      // The arguments arrive in two pieces; without an index the second piece has none either.
      const half = Math.ceil(args.length / 2);
      deltas.push({ tool_calls: [{ ...call, function: { name: c.name, arguments: args.slice(0, half) } }] });
      const rest: Record<string, unknown> = { function: { arguments: args.slice(half) } };
      if (indexes === 'position') rest.index = k;
      if (indexes === 'zero') rest.index = 0;
      deltas.push({ tool_calls: [rest] });
    });
    // Google's endpoint may end a tool-call stream with "stop" (https://github.com/googleapis/python-genai/issues/2868).
    const finish = turn.calls?.length ? (opts.flavor === 'google' ? 'stop' : 'tool_calls') : 'stop';
    return { kind: 'sse', text: openAISSE(deltas, finish, model) };
  };
  return Object.assign(await startFakeUpstream(handler), { verdicts });
}

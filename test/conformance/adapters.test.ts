// The conformance suite (conformance.ts) run against all four adapters: first-party Anthropic, an
// Anthropic-compatible vendor (DeepSeek's /anthropic), OpenAI Chat Completions and Gemini. Each fake
// upstream answers in its provider's own format, from the recorded fixtures (test/fixtures) or, for the
// vendor, the DeepSeek-shaped script of test/helpers/vendor-sse.ts.

import { fixture } from '../helpers/fake-upstream.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import { anthropicCalls, anthropicText, anthropicUsage, PROVIDERS } from '../translation/providers.ts';
import { anthropicAdapter } from '../../proxy/providers/anthropic/anthropic-adapter.ts';
import { anthropicVendorAdapter } from '../../proxy/providers/anthropic/anthropic-vendor-adapter.ts';
import { openaiAdapter } from '../../proxy/providers/openai/openai-adapter.ts';
import { geminiAdapter } from '../../proxy/providers/gemini/gemini-adapter.ts';
import { adapterConformance, type Expected } from './conformance.ts';

const sse = (text: string) => ({ kind: 'sse' as const, text });
const json = (status: number, body: unknown, headers?: Record<string, string>) => ({
  kind: 'json' as const,
  status,
  body,
  ...(headers ? { headers } : {}),
});
const usage = (u: { input_tokens: number; output_tokens: number }) => ({ input_tokens: u.input_tokens, output_tokens: u.output_tokens });
const WHOLE: Expected = { text: 'Hello there', calls: [], usage: { input_tokens: 12, output_tokens: 3 } };

function anthropicExpected(text: string): Expected {
  return {
    text: anthropicText(text),
    calls: anthropicCalls(text).map((c) => ({ name: c.name, input: c.input })),
    usage: usage(anthropicUsage(text)),
  };
}

function anthropicMessage(model: string) {
  return {
    id: 'msg_whole',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'Hello there' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 3 },
  };
}

// First party: Anthropic's own recorded answers.
const ANTHROPIC_TEXT = fixture('anthropic-stream-text.sse');
const ANTHROPIC_TOOL = fixture('anthropic-stream-tool-use.sse');
adapterConformance({
  name: 'first-party Anthropic',
  adapter: anthropicAdapter,
  tier: { protocol: 'anthropic' },
  upstream: {
    text: { reply: sse(ANTHROPIC_TEXT), expected: anthropicExpected(ANTHROPIC_TEXT) },
    tool: { reply: sse(ANTHROPIC_TOOL), expected: anthropicExpected(ANTHROPIC_TOOL) },
    whole: { reply: json(200, anthropicMessage('claude-sonnet-4-6')), expected: WHOLE },
    rateLimited: json(429, JSON.parse(fixture('anthropic-429.json')), { 'retry-after': '3600' }),
    invalid: json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages.0.content: Field required' } }),
  },
});

// DeepSeek's Anthropic-compatible endpoint: Anthropic's stream format, DeepSeek's models, OpenAI-shaped
// errors (https://github.com/OEvortex/aether/issues/31, proxy/providers/anthropic/vendors.md).
const VENDOR_TEXT = anthropicSSE(
  { text: 'DeepSeek read the README: it explains the build.' },
  { model: 'deepseek-v4-flash', inputTokens: 321 },
).sse;
const VENDOR_TOOL = anthropicSSE(
  {
    text: 'Reading both.',
    calls: [
      { name: 'Read', input: { file_path: '/repo/README.md' } },
      { name: 'Read', input: { file_path: '/repo/package.json' } },
    ],
  },
  { model: 'deepseek-v4-flash', inputTokens: 321 },
).sse;
adapterConformance({
  name: 'Anthropic-compatible vendor (DeepSeek)',
  adapter: anthropicVendorAdapter,
  tier: { protocol: 'anthropic', vendor: 'deepseek', api_key: 'sk-deepseek-key', model: 'deepseek-v4-flash' },
  upstream: {
    text: { reply: sse(VENDOR_TEXT), expected: anthropicExpected(VENDOR_TEXT) },
    tool: { reply: sse(VENDOR_TOOL), expected: anthropicExpected(VENDOR_TOOL) },
    whole: { reply: json(200, anthropicMessage('deepseek-v4-flash')), expected: WHOLE },
    rateLimited: json(
      429,
      { error: { message: 'Rate Limit Reached', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } },
      { 'retry-after': '3600' },
    ),
    invalid: json(400, {
      error: {
        message: 'Invalid request: messages must not be empty',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    }),
  },
});

// OpenAI Chat Completions: its recorded stream fixtures; the expectations read them with the tests' own parser.
const gpt = PROVIDERS.find((p) => p.protocol === 'openai')!;
const OPENAI_TOOL = fixture('openai-stream-tool-calls.sse');
adapterConformance({
  name: 'OpenAI',
  adapter: openaiAdapter,
  tier: { protocol: 'openai', api_key: 'sk-openai-key', model: 'gpt-4.1' },
  upstream: {
    text: { reply: sse(gpt.textTurn), expected: { text: gpt.text(gpt.textTurn).text, calls: [], usage: usage(gpt.usage(gpt.textTurn)) } },
    tool: {
      reply: sse(OPENAI_TOOL),
      expected: {
        text: '',
        calls: gpt.calls(OPENAI_TOOL).map((c) => ({ name: c.name, input: c.input })),
        usage: usage(gpt.usage(OPENAI_TOOL)),
      },
    },
    whole: {
      reply: json(200, {
        id: 'chatcmpl-whole',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4.1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      }),
      expected: WHOLE,
    },
    rateLimited: json(429, JSON.parse(fixture('openai-429.json')), { 'retry-after': '3600' }),
    invalid: json(400, {
      error: {
        message: "Invalid 'messages[0].content': string too long.",
        type: 'invalid_request_error',
        param: 'messages[0].content',
        code: 'string_above_max_length',
      },
    }),
  },
});

// Gemini generateContent / streamGenerateContent: its recorded stream fixtures.
const gemini = PROVIDERS.find((p) => p.protocol === 'gemini')!;
const GEMINI_TOOL = fixture('gemini-stream-function-call.sse');
adapterConformance({
  name: 'Gemini',
  adapter: geminiAdapter,
  tier: { protocol: 'gemini', api_key: 'AIza-gemini-key', model: 'gemini-3-flash-preview' },
  upstream: {
    text: {
      reply: sse(gemini.textTurn),
      expected: { text: gemini.text(gemini.textTurn).text, calls: [], usage: usage(gemini.usage(gemini.textTurn)) },
    },
    tool: {
      reply: sse(GEMINI_TOOL),
      expected: {
        text: gemini.text(GEMINI_TOOL).text,
        calls: gemini.calls(GEMINI_TOOL).map((c) => ({ name: c.name, input: c.input })),
        usage: usage(gemini.usage(GEMINI_TOOL)),
      },
    },
    whole: {
      reply: json(200, {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Hello there' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 3, totalTokenCount: 15 },
      }),
      expected: WHOLE,
    },
    rateLimited: json(429, JSON.parse(fixture('gemini-429.json'))),
    invalid: json(400, {
      error: { code: 400, message: 'Invalid JSON payload received. Unknown name "foo": Cannot find field.', status: 'INVALID_ARGUMENT' },
    }),
  },
});

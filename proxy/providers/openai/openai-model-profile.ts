// What an OpenAI-compatible model accepts, decided by its name (conservatively: unknown names get the
// plainest request). Output limits come from the vendors' model pages, noted per row.

export type OpenAIModelProfile = {
  /** Output-token ceiling used when the tier sets no max_output_tokens. */
  maxOutputTokens: number;
  /** OpenAI reasoning models (o-series, gpt-5) reject max_tokens and take max_completion_tokens. */
  tokenField: 'max_tokens' | 'max_completion_tokens';
  /**
   * deepseek: `thinking:{type}` + reasoning_effort low|high|max, and history reasoning_content.
   * openai: reasoning_effort only. none: no reasoning parameters at all.
   */
  reasoning: 'deepseek' | 'openai' | 'none';
  /** Reasoning models reject temperature/top_p other than the defaults, and o3/o4-mini reject stop. */
  sampling: boolean;
  /** o-series models answer 400 to `parallel_tool_calls` ("not supported with this model"). */
  parallelToolCalls?: false;
  /** Mistral answers 422 extra_forbidden to `stream_options` (it reports usage in the last chunk anyway). */
  streamOptions?: false;
};

const PLAIN: OpenAIModelProfile = { maxOutputTokens: 8192, tokenField: 'max_tokens', reasoning: 'none', sampling: true };

/**
 * Rows are tried in order against the model name without a vendor prefix (`openai/gpt-5` → `gpt-5`).
 * Sources: DeepSeek pricing/models pages and news260424 (docs/protocols.md §2.5); OpenAI model pages
 * (platform.openai.com/docs/models/<name>, "max output tokens").
 */
const TABLE: { match: RegExp; profile: OpenAIModelProfile }[] = [
  // Legacy V3 chat model: max_tokens range [1, 8192]; it never took thinking parameters.
  { match: /^deepseek-chat$/, profile: { ...PLAIN, maxOutputTokens: 8192 } },
  // Since April 2026 an alias of V4 Flash in thinking mode: tool calls allowed, and the reasoning_content
  // of tool-call turns must come back (https://api-docs.deepseek.com/guides/thinking_mode); retired 2026-07-24.
  { match: /^deepseek-reasoner$/, profile: { maxOutputTokens: 65536, tokenField: 'max_tokens', reasoning: 'deepseek', sampling: false } },
  // V4 / V4.1 (deepseek-v4-flash, deepseek-v4-pro, deepseek-flash…): 384K output, thinking mode.
  { match: /^deepseek-(v4|v5|flash|pro)/, profile: { maxOutputTokens: 393216, tokenField: 'max_tokens', reasoning: 'deepseek', sampling: true } },
  // gpt-5 family (reasoning); gpt-5-chat is not a reasoning model but takes max_completion_tokens too.
  { match: /^gpt-5[\w.-]*-chat/, profile: { maxOutputTokens: 16384, tokenField: 'max_completion_tokens', reasoning: 'none', sampling: true } },
  { match: /^gpt-5/, profile: { maxOutputTokens: 128000, tokenField: 'max_completion_tokens', reasoning: 'openai', sampling: false } },
  // o1 / o3 / o4-mini: 100K output; o1-mini 65,536.
  { match: /^o1-mini/, profile: { maxOutputTokens: 65536, tokenField: 'max_completion_tokens', reasoning: 'none', sampling: false, parallelToolCalls: false } },
  { match: /^o\d/, profile: { maxOutputTokens: 100000, tokenField: 'max_completion_tokens', reasoning: 'openai', sampling: false, parallelToolCalls: false } },
  // https://docs.mistral.ai/api/#tag/chat: no stream_options (422 extra_forbidden), max_tokens.
  { match: /^(mistral|magistral|codestral|devstral|ministral|pixtral|open-mistral)/, profile: { ...PLAIN, maxOutputTokens: 32768, streamOptions: false } },
  { match: /^gpt-4\.1/, profile: { ...PLAIN, maxOutputTokens: 32768 } },
  { match: /^(gpt-4o|chatgpt-4o)/, profile: { ...PLAIN, maxOutputTokens: 16384 } },
  { match: /^(gpt-4|gpt-3\.5)/, profile: { ...PLAIN, maxOutputTokens: 4096 } },
];

export function openAIModelProfile(model: string): OpenAIModelProfile {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return TABLE.find((row) => row.match.test(name))?.profile ?? PLAIN;
}

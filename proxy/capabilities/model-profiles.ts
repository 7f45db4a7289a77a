// What each model family can take, as data: context window, output ceiling, the image and document
// types it reads, and how it thinks. One row per family, tried in order against the model name without
// a vendor prefix (`google/gemini-2.5-flash` → `gemini-2.5-flash`). A tier's config overrides any of it
// (tier-capabilities.ts). Sources are noted per row; proxy/capabilities/README.md explains the choices.

/**
 * How a model thinks, which decides what a request to it must say:
 * - `anthropic`: signed thinking blocks, off unless the request asks for it.
 * - `deepseek`: on by default, off only with `thinking: {type: "disabled"}`; every earlier tool-call
 *   turn must carry its own reasoning back (https://api-docs.deepseek.com/guides/thinking_mode).
 * - `gemini-budget`: `thinkingConfig.thinkingBudget` (Gemini 2.5; rejects `thinkingLevel`).
 * - `gemini-level`: `thinkingConfig.thinkingLevel` (Gemini 3 and the `-latest` aliases).
 * - `openai-effort`: `reasoning_effort` (o-series, gpt-5).
 * - `none`: no thinking parameters.
 */
export type ThinkingStyle = 'anthropic' | 'deepseek' | 'gemini-budget' | 'gemini-level' | 'openai-effort' | 'none';

export type ModelProfile = {
  /** The row's name, for logs and the README. */
  family: string;
  /** Input plus output tokens the model takes; undefined: not known, so no request is refused for size. */
  contextWindow?: number;
  maxOutputTokens?: number;
  /** Image media types the model reads; empty: no vision. */
  imageTypes: readonly string[];
  /** Document media types the model reads as documents (PDF); text documents are always inlined. */
  documentTypes: readonly string[];
  thinking: ThinkingStyle;
  /** A note for a name the vendor retired (requests to it fail there). */
  retired?: string;
  /** Chat Completions only: o-series and gpt-5 reject `max_tokens` and take `max_completion_tokens`. */
  tokenField?: 'max_completion_tokens';
  /** Chat Completions only: reasoning models reject temperature/top_p other than the defaults (o3/o4-mini reject stop). */
  fixedSampling?: true;
  /** Chat Completions only: o-series models answer 400 to `parallel_tool_calls` ("not supported with this model"). */
  parallelToolCalls?: false;
  /** Chat Completions only: Mistral answers 422 extra_forbidden to `stream_options` (it reports usage in the last chunk anyway). */
  streamOptions?: false;
};

/** What Claude, GPT-4o/4.1/5 and DeepSeek Flash read (https://docs.claude.com/en/docs/build-with-claude/vision). */
export const COMMON_IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
/** Gemini: no gif (https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats). */
export const GEMINI_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'];
const PDF: readonly string[] = ['application/pdf'];
const NONE: readonly string[] = [];

/** Unknown names: the window is not known and images are assumed readable (set `vision: false` if not). */
export const UNKNOWN_PROFILE: ModelProfile = { family: 'unknown', imageTypes: COMMON_IMAGE_TYPES, documentTypes: NONE, thinking: 'none' };

/** o1, o3, o4-mini: max_completion_tokens, default sampling only, no parallel_tool_calls (proxy/providers/openai/vendor-rules.md). */
const O_SERIES = { tokenField: 'max_completion_tokens', fixedSampling: true, parallelToolCalls: false } as const;

const ROWS: { match: RegExp; profile: ModelProfile }[] = [
  // https://docs.claude.com/en/docs/about-claude/models/overview. Anthropic counts and limits its own
  // requests (windows of 200K or 1M, output per model), so no window or ceiling is assumed here.
  { match: /^claude-/, profile: { family: 'claude', imageTypes: COMMON_IMAGE_TYPES, documentTypes: PDF, thinking: 'anthropic' } },

  // https://api-docs.deepseek.com/quick_start/pricing: 1M context, 384K output; image understanding on
  // Flash only. The API names are `deepseek-flash` (V4.1 Flash) and `deepseek-v4-pro`; the retired
  // `deepseek-v4-flash` and `deepseek-v4-flash-vision-exp` are still accepted and served by V4.1 Flash;
  // OpenRouter calls it `deepseek-v4.1-flash`. Decision (the two tables this one replaced disagreed): only
  // these documented names get the V4 window and ceiling; another `deepseek-*` name falls to the last
  // DeepSeek row (thinks like V4, window and ceiling unknown) rather than a guessed 384K.
  {
    match: /^deepseek-(v4-|v4\.\d-)?flash/,
    profile: {
      family: 'deepseek-flash',
      contextWindow: 1_000_000,
      maxOutputTokens: 393_216,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'deepseek',
    },
  },
  {
    match: /^deepseek-(v4-|v4\.\d-)?pro/,
    profile: {
      family: 'deepseek-pro',
      contextWindow: 1_000_000,
      maxOutputTokens: 393_216,
      imageTypes: NONE,
      documentTypes: NONE,
      thinking: 'deepseek',
    },
  },
  // Since April 2026 an alias of V4 Flash in thinking mode (tool calls allowed, reasoning of tool-call
  // turns must come back); retired on api.deepseek.com on 2026-07-24 (https://github.com/mozilla-ai/any-llm/issues/1172).
  {
    match: /^deepseek-reasoner$/,
    profile: {
      family: 'deepseek-reasoner',
      contextWindow: 1_000_000,
      maxOutputTokens: 65_536,
      imageTypes: NONE,
      documentTypes: NONE,
      thinking: 'deepseek',
      fixedSampling: true,
      retired: 'retired by DeepSeek on 2026-07-24: use deepseek-flash (thinks by default)',
    },
  },
  // Legacy V3 chat model: max_tokens range [1, 8192]; it never took thinking parameters.
  {
    match: /^deepseek-chat$/,
    profile: {
      family: 'deepseek-chat',
      contextWindow: 1_000_000,
      maxOutputTokens: 8_192,
      imageTypes: NONE,
      documentTypes: NONE,
      thinking: 'none',
      retired: 'retired by DeepSeek on 2026-07-24: use deepseek-flash with thinking disabled',
    },
  },
  { match: /^deepseek-/, profile: { family: 'deepseek', imageTypes: NONE, documentTypes: NONE, thinking: 'deepseek' } },

  // https://ai.google.dev/gemini-api/docs/models: 1,048,576 input tokens, 65,536 output for 2.5 and 3;
  // thinking controls per https://ai.google.dev/gemini-api/docs/thinking. `-latest` aliases follow the
  // newest release (https://github.com/google-gemini/gemini-cli/issues/20588), which is Gemini 3.
  {
    match: /^gemini-([3-9]|\d{2,})|^gemini-(flash|pro|flash-lite)-latest$/,
    profile: {
      family: 'gemini-3',
      contextWindow: 1_048_576,
      maxOutputTokens: 65_536,
      imageTypes: GEMINI_IMAGE_TYPES,
      documentTypes: PDF,
      thinking: 'gemini-level',
    },
  },
  {
    match: /^gemini-2\.5/,
    profile: {
      family: 'gemini-2.5',
      contextWindow: 1_048_576,
      maxOutputTokens: 65_536,
      imageTypes: GEMINI_IMAGE_TYPES,
      documentTypes: PDF,
      thinking: 'gemini-budget',
    },
  },
  {
    match: /^gemini-/,
    profile: {
      family: 'gemini',
      contextWindow: 1_048_576,
      maxOutputTokens: 8_192,
      imageTypes: GEMINI_IMAGE_TYPES,
      documentTypes: PDF,
      thinking: 'none',
    },
  },

  // https://platform.openai.com/docs/models/<name>. Chat Completions carries no PDF through this proxy.
  {
    match: /^gpt-5[\w.-]*-chat/,
    profile: {
      family: 'gpt-5-chat',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'none',
      tokenField: 'max_completion_tokens',
    },
  },
  {
    match: /^gpt-5/,
    profile: {
      family: 'gpt-5',
      contextWindow: 400_000,
      maxOutputTokens: 128_000,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'openai-effort',
      tokenField: 'max_completion_tokens',
      fixedSampling: true,
    },
  },
  // o1-mini: 128K window, 65,536 output, no images and no `reasoning_effort` (platform.openai.com/docs/models/o1-mini).
  {
    match: /^o1-mini/,
    profile: {
      family: 'o1-mini',
      contextWindow: 128_000,
      maxOutputTokens: 65_536,
      imageTypes: NONE,
      documentTypes: NONE,
      thinking: 'none',
      ...O_SERIES,
    },
  },
  {
    match: /^o\d-mini/,
    profile: {
      family: 'o-mini',
      contextWindow: 200_000,
      maxOutputTokens: 100_000,
      imageTypes: NONE,
      documentTypes: NONE,
      thinking: 'openai-effort',
      ...O_SERIES,
    },
  },
  {
    match: /^o\d/,
    profile: {
      family: 'o-series',
      contextWindow: 200_000,
      maxOutputTokens: 100_000,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'openai-effort',
      ...O_SERIES,
    },
  },
  {
    match: /^gpt-4\.1/,
    profile: {
      family: 'gpt-4.1',
      contextWindow: 1_047_576,
      maxOutputTokens: 32_768,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'none',
    },
  },
  {
    match: /^(gpt-4o|chatgpt-4o)/,
    profile: {
      family: 'gpt-4o',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'none',
    },
  },

  {
    match: /^(gpt-4|gpt-3\.5)/,
    profile: { family: 'gpt-4', maxOutputTokens: 4_096, imageTypes: COMMON_IMAGE_TYPES, documentTypes: NONE, thinking: 'none' },
  },

  // https://docs.mistral.ai/api/#tag/chat: strict validation, no stream_options (422 extra_forbidden), max_tokens.
  {
    match: /^(mistral|magistral|codestral|devstral|ministral|pixtral|open-mistral)/,
    profile: {
      family: 'mistral',
      maxOutputTokens: 32_768,
      imageTypes: COMMON_IMAGE_TYPES,
      documentTypes: NONE,
      thinking: 'none',
      streamOptions: false,
    },
  },

  // https://huggingface.co/Qwen/Qwen3-Coder-480B-A35B-Instruct: 256K native context, text only.
  {
    match: /^qwen3-coder/,
    profile: { family: 'qwen3-coder', contextWindow: 262_144, imageTypes: NONE, documentTypes: NONE, thinking: 'none' },
  },
];

/** The profile of a model name (an unknown name gets UNKNOWN_PROFILE). */
export function modelProfile(model: string): ModelProfile {
  const name = model.toLowerCase().replace(/^models\//, '');
  const bare = name.slice(name.lastIndexOf('/') + 1);
  return ROWS.find((row) => row.match.test(bare))?.profile ?? UNKNOWN_PROFILE;
}

/** What a Chat Completions request to a model must say, read off its profile (proxy/providers/openai). */
export type OpenAIModelProfile = {
  /** Output-token ceiling used when the tier sets no max_output_tokens. */
  maxOutputTokens: number;
  tokenField: 'max_tokens' | 'max_completion_tokens';
  /**
   * deepseek: `thinking:{type}` + reasoning_effort low|high|max, and history reasoning_content.
   * openai: reasoning_effort only. none: no reasoning parameters at all.
   */
  reasoning: 'deepseek' | 'openai' | 'none';
  /** Whether temperature/top_p/stop go through. */
  sampling: boolean;
  parallelToolCalls?: false;
  streamOptions?: false;
};

/** The output ceiling for a Chat Completions model whose ceiling the table does not know (the plainest request). */
export const OPENAI_DEFAULT_MAX_OUTPUT = 8_192;

export function openAIModelProfile(model: string): OpenAIModelProfile {
  const p = modelProfile(model);
  const reasoning = p.thinking === 'deepseek' ? 'deepseek' : p.thinking === 'openai-effort' ? 'openai' : 'none';
  const out: OpenAIModelProfile = {
    maxOutputTokens: p.maxOutputTokens ?? OPENAI_DEFAULT_MAX_OUTPUT,
    tokenField: p.tokenField ?? 'max_tokens',
    reasoning,
    sampling: p.fixedSampling !== true,
  };
  if (p.parallelToolCalls === false) out.parallelToolCalls = false;
  if (p.streamOptions === false) out.streamOptions = false;
  return out;
}

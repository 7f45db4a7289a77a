// OpenAI Chat Completions wire shapes the proxy sends and reads (OpenAI, DeepSeek, OpenRouter, vLLM…).
// Source: openai-node src/resources/chat/completions/completions.ts; see docs/protocols.md §2.

export type OpenAITextPart = { type: 'text'; text: string };
export type OpenAIImagePart = { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };
export type OpenAIUserPart = OpenAITextPart | OpenAIImagePart;

export type OpenAIToolCall = {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  /** Google's OpenAI endpoint: Gemini 3's thought signature, needed back on the call it came with. */
  extra_content?: { google?: { thought_signature?: string } };
};

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIUserPart[] }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: OpenAIToolCall[];
      /** DeepSeek thinking mode: the turn's reasoning, required back on tool-call turns. */
      reasoning_content?: string;
      /** OpenRouter: a Gemini turn's encrypted reasoning, needed back on tool-call turns. */
      reasoning_details?: unknown[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export type OpenAITool = {
  type: 'function';
  function: { name: string; description?: string; parameters?: { [key: string]: unknown } };
};

export type OpenAIToolChoice = 'auto' | 'required' | 'none' | { type: 'function'; function: { name: string } };

export type OpenAIReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'max';

export type OpenAIChatRequest = {
  model: string;
  messages: OpenAIMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  reasoning_effort?: OpenAIReasoningEffort;
  /** DeepSeek V4 thinking switch (an extra body field in OpenAI SDK terms). */
  thinking?: { type: 'enabled' | 'disabled' };
};

export type OpenAIUsage = {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek: prompt_tokens = hit + miss. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
};

export type OpenAIToolCallDelta = {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  extra_content?: { google?: { thought_signature?: string } };
};

export type OpenAIChunkChoice = {
  index?: number;
  delta?: {
    role?: string;
    content?: string | null;
    refusal?: string | null;
    reasoning_content?: string | null;
    /** OpenRouter and newer vLLM name the reasoning text `reasoning`. */
    reasoning?: string | null;
    reasoning_details?: unknown[] | null;
    tool_calls?: OpenAIToolCallDelta[] | null;
  };
  finish_reason?: string | null;
};

export type OpenAIErrorObject = {
  message?: string;
  type?: string;
  code?: string | number | null;
  param?: string | null;
  metadata?: { [key: string]: unknown };
};

export type OpenAIChunk = {
  id?: string;
  model?: string;
  choices?: OpenAIChunkChoice[];
  usage?: OpenAIUsage | null;
  /** Groq puts the final usage here when include_usage is not honoured. */
  x_groq?: { usage?: OpenAIUsage | null } | null;
  error?: OpenAIErrorObject;
};

export type OpenAIResponseMessage = {
  role?: string;
  content?: string | null;
  refusal?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[] | null;
};

export type OpenAIChatResponse = {
  id?: string;
  model?: string;
  choices?: { index?: number; message?: OpenAIResponseMessage; finish_reason?: string | null }[];
  usage?: OpenAIUsage | null;
  error?: OpenAIErrorObject;
};

/** What the request converter hands to the response converters. */
export type OpenAIContext = {
  /** The upstream model the request went to. */
  model: string;
  /** OpenAI-side tool name → the Anthropic name Claude Code knows (only names that had to change). */
  toolNames: Record<string, string>;
  /** tool_use ids already in the conversation: an upstream id repeating one gets a new id. */
  historyToolUseIds?: readonly string[];
};

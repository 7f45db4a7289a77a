// The Anthropic Messages API shapes the proxy speaks to Claude Code (the hub format).
// Source: anthropic-sdk-typescript src/resources/messages/messages.ts; see docs/protocols.md §1.

export type CacheControl = { type: 'ephemeral'; ttl?: '5m' | '1h' };

export type ImageSource =
  { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } | { type: 'file'; file_id: string };

export type DocumentSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'text'; media_type: 'text/plain'; data: string }
  | { type: 'url'; url: string }
  | { type: 'content'; content: string | ContentBlockParam[] }
  | { type: 'file'; file_id: string };

export type TextBlockParam = { type: 'text'; text: string; cache_control?: CacheControl; citations?: unknown };
export type ImageBlockParam = { type: 'image'; source: ImageSource; cache_control?: CacheControl };
export type DocumentBlockParam = {
  type: 'document';
  source: DocumentSource;
  title?: string;
  context?: string;
  cache_control?: CacheControl;
};
export type ToolUseBlockParam = {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl;
};
export type ToolResultBlockParam = {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | ContentBlockParam[];
  is_error?: boolean;
  cache_control?: CacheControl;
};
export type ThinkingBlockParam = { type: 'thinking'; thinking: string; signature: string };
export type RedactedThinkingBlockParam = { type: 'redacted_thinking'; data: string };

export type ContentBlockParam =
  | TextBlockParam
  | ImageBlockParam
  | DocumentBlockParam
  | ToolUseBlockParam
  | ToolResultBlockParam
  | ThinkingBlockParam
  | RedactedThinkingBlockParam;

export type MessageParam = { role: 'user' | 'assistant'; content: string | ContentBlockParam[] };

export type Tool = {
  name: string;
  description?: string;
  input_schema: JsonSchema;
  type?: string;
  cache_control?: CacheControl;
  defer_loading?: boolean;
  strict?: boolean;
  [key: string]: unknown;
};

export type JsonSchema = { [key: string]: unknown };

export type ToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type ThinkingConfig =
  | { type: 'enabled'; budget_tokens: number; display?: 'summarized' | 'omitted' }
  | { type: 'disabled' }
  | { type: 'adaptive'; display?: 'summarized' | 'omitted' };

export type MessagesRequest = {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlockParam[];
  tools?: Tool[];
  tool_choice?: ToolChoice;
  thinking?: ThinkingConfig;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string };
  stream?: boolean;
  context_management?: unknown;
  [key: string]: unknown;
};

export type StopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export type Usage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
};

export type TextBlock = { type: 'text'; text: string };
export type ToolUseBlock = { type: 'tool_use'; id: string; name: string; input: unknown };
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string };
export type ContentBlock = TextBlock | ToolUseBlock | ThinkingBlock | RedactedThinkingBlockParam;

export type Message = {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
};

export type ContentDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export type ErrorBody = { type: 'error'; error: { type: ErrorType; message: string } };

/** One Anthropic SSE event; `type` is also the SSE `event:` name. */
export type StreamEvent =
  | { type: 'message_start'; message: Message }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | { type: 'content_block_delta'; index: number; delta: ContentDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: StopReason | null; stop_sequence: string | null };
      usage: Partial<Usage> & { output_tokens: number };
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | ErrorBody;

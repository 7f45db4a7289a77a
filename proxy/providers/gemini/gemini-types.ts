// Gemini generateContent wire shapes (v1beta), only the fields the proxy reads or writes.
// Source: googleapis/js-genai src/types.ts; see docs/protocols.md §3.

export type GeminiInlineData = { mimeType: string; data: string };
export type GeminiFunctionCall = { id?: string; name: string; args?: Record<string, unknown> };
export type GeminiFunctionResponse = {
  id?: string;
  name: string;
  /** `{output}` for a result, `{error}` for a failed call (Anthropic `is_error`). */
  response: { output: string } | { error: string };
};

export type GeminiPart = {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: GeminiInlineData;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
};

export type GeminiRole = 'user' | 'model';
export type GeminiContent = { role: GeminiRole; parts: GeminiPart[] };

/** Gemini's `Schema` proto (the OpenAPI subset accepted in `parameters`). */
export type GeminiSchema = {
  type?: 'STRING' | 'NUMBER' | 'INTEGER' | 'BOOLEAN' | 'ARRAY' | 'OBJECT' | 'NULL';
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: GeminiSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  minProperties?: number;
  maxProperties?: number;
  propertyOrdering?: string[];
  anyOf?: GeminiSchema[];
  default?: unknown;
  example?: unknown;
};

export type GeminiFunctionDeclaration = {
  name: string;
  description?: string;
  parametersJsonSchema?: Record<string, unknown>;
  parameters?: GeminiSchema;
};

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export type GeminiThinkingConfig = { thinkingBudget?: number; thinkingLevel?: 'LOW' | 'HIGH'; includeThoughts?: boolean };

export type GeminiGenerationConfig = {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  thinkingConfig?: GeminiThinkingConfig;
};

export type GeminiRequest = {
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: { functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
};

export type GeminiUsageMetadata = {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
};

export type GeminiCandidate = {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  finishMessage?: string;
  index?: number;
};

/** One streamed chunk or a whole non-streaming answer (same shape). */
export type GeminiResponse = {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
};

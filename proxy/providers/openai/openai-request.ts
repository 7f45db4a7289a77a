// Anthropic Messages request → OpenAI Chat Completions request (pure; what cannot be carried is
// returned as warnings). Tool results become `tool` messages ahead of the user's own text.

import type {
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessageParam,
  MessagesRequest,
  ThinkingConfig,
  Tool,
  ToolChoice,
  ToolResultBlockParam,
} from '../../wire/types.ts';
import { isDeferredTool, systemText, toolResultBlocks } from '../../wire/request-parts.ts';
import type { PrepareOptions } from '../provider.ts';
import { decodeProxySignature } from '../../wire/proxy-signature.ts';
import { openAIModelProfile, type OpenAIModelProfile } from '../../capabilities/model-profiles.ts';
import { toOpenAIToolName } from './openai-tool-names.ts';
import { needsPlaceholderSignature, PLACEHOLDER_SIGNATURE } from './openai-google.ts';
import { currentTurnStart } from '../gemini/gemini-thought-signature.ts';
import { toolAliasMap } from '../tool-name-alias.ts';
import type {
  OpenAIChatRequest,
  OpenAIContext,
  OpenAIMessage,
  OpenAIReasoningEffort,
  OpenAITool,
  OpenAIToolCall,
  OpenAIToolChoice,
  OpenAIUserPart,
} from './openai-types.ts';
import { fitMedia } from '../../capabilities/media-fit.ts';
import { tierCapabilities } from '../../capabilities/tier-capabilities.ts';

export type OpenAIRequestOptions = Pick<PrepareOptions, 'tier' | 'model' | 'stream'>;

export type OpenAIRequestResult = { body: OpenAIChatRequest; warnings: string[]; context: OpenAIContext };

/** OpenAI takes at most 4 stop sequences. */
const MAX_STOP = 4;

export function toOpenAIRequest(req: MessagesRequest, opts: OpenAIRequestOptions): OpenAIRequestResult {
  const warnings: string[] = [];
  const profile = openAIModelProfile(opts.model);
  const messages: OpenAIMessage[] = [];
  const system = systemText(req.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  // Images and documents of a type the model cannot read become placeholders first.
  const fitted = fitMedia(req, tierCapabilities(opts.tier, opts.model));
  warnings.push(...fitted.warnings);
  const placeholder = needsPlaceholderSignature(opts.tier.baseUrl, opts.model);
  messages.push(...toOpenAIMessages(fitted.request.messages, profile, warnings, placeholder));

  const body: OpenAIChatRequest = { model: opts.model, messages, stream: opts.stream };
  if (opts.stream && profile.streamOptions !== false) body.stream_options = { include_usage: true };

  const limit = opts.tier.maxOutputTokens ?? profile.maxOutputTokens;
  body[profile.tokenField] = Math.max(1, Math.min(req.max_tokens, limit));

  if (profile.sampling) {
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.top_p !== undefined) body.top_p = req.top_p;
    if (req.stop_sequences !== undefined && req.stop_sequences.length > 0) {
      if (req.stop_sequences.length > MAX_STOP)
        warnings.push(`stop_sequences: only the first ${MAX_STOP} of ${req.stop_sequences.length} are sent (OpenAI limit)`);
      body.stop = req.stop_sequences.slice(0, MAX_STOP);
    }
  } else {
    for (const key of ['temperature', 'top_p', 'stop_sequences'] as const) {
      if (req[key] !== undefined) warnings.push(`${key} dropped: ${opts.model} is a reasoning model that rejects it`);
    }
  }
  if (req.top_k !== undefined) warnings.push('top_k dropped: Chat Completions has no equivalent');

  applyReasoning(body, req.thinking, profile);

  const tools = toOpenAITools(req.tools ?? [], warnings);
  if (tools.length > 0) {
    body.tools = tools;
    const choice = toOpenAIToolChoice(req.tool_choice, tools, warnings);
    if (choice !== undefined) body.tool_choice = choice;
    if (
      profile.parallelToolCalls !== false &&
      req.tool_choice &&
      req.tool_choice.type !== 'none' &&
      req.tool_choice.disable_parallel_tool_use
    )
      body.parallel_tool_calls = false;
  }

  // Every name the conversation uses, so history tool calls and answers map the same way.
  const names = new Set((req.tools ?? []).map((t) => t.name));
  const ids: string[] = [];
  for (const m of req.messages) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) {
      if (b.type !== 'tool_use') continue;
      names.add(b.name);
      ids.push(b.id);
    }
  }
  return { body, warnings, context: { model: opts.model, toolNames: toolAliasMap(names, toOpenAIToolName), historyToolUseIds: ids } };
}

/** Anthropic thinking → DeepSeek `thinking` + effort, or OpenAI reasoning_effort; nothing for plain models. */
function applyReasoning(body: OpenAIChatRequest, thinking: ThinkingConfig | undefined, profile: OpenAIModelProfile): void {
  switch (profile.reasoning) {
    case 'deepseek':
      // DeepSeek V4 thinks by default; Anthropic semantics are "no thinking unless asked".
      if (thinking === undefined || thinking.type === 'disabled') body.thinking = { type: 'disabled' };
      else {
        body.thinking = { type: 'enabled' };
        body.reasoning_effort = thinking.type === 'enabled' ? deepSeekEffort(thinking.budget_tokens) : 'high';
      }
      return;
    case 'openai':
      // Only raise or lower effort when the client asked for thinking; otherwise the model default.
      if (thinking?.type === 'enabled') body.reasoning_effort = openAIEffort(thinking.budget_tokens);
      else if (thinking?.type === 'adaptive') body.reasoning_effort = 'medium';
      return;
    case 'none':
      return;
    default: {
      const never: never = profile.reasoning;
      return never;
    }
  }
}

/**
 * DeepSeek efforts are low|high|max (https://api-docs.deepseek.com/guides/thinking_mode); Claude Code's
 * 31999 budget is "high".
 */
function deepSeekEffort(budget: number): OpenAIReasoningEffort {
  if (budget < 4096) return 'low';
  if (budget < 32000) return 'high';
  return 'max';
}

function openAIEffort(budget: number): OpenAIReasoningEffort {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function toOpenAITools(tools: Tool[], warnings: string[]): OpenAITool[] {
  const out: OpenAITool[] = [];
  for (const tool of tools) {
    if (isDeferredTool(tool)) {
      // Its schema is a placeholder: the real tools arrive only through Anthropic's tool search,
      // which no other provider runs, so a call to it could never do anything.
      warnings.push(`tool ${tool.name} dropped: defer_loading tools exist only with Anthropic's tool search`);
      continue;
    }
    if (tool.type !== undefined && tool.type !== 'custom') {
      warnings.push(`tool ${tool.name} dropped: Anthropic server tool ${tool.type} has no OpenAI equivalent`);
      continue;
    }
    const { $schema: _schema, ...parameters } = tool.input_schema ?? { type: 'object' };
    const fn: OpenAITool['function'] = { name: toOpenAIToolName(tool.name), parameters };
    if (tool.description !== undefined) fn.description = tool.description;
    out.push({ type: 'function', function: fn });
  }
  return out;
}

function toOpenAIToolChoice(choice: ToolChoice | undefined, tools: OpenAITool[], warnings: string[]): OpenAIToolChoice | undefined {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool': {
      const name = toOpenAIToolName(choice.name);
      if (tools.some((t) => t.function.name === name)) return { type: 'function', function: { name } };
      warnings.push(`tool_choice names ${choice.name}, which is not sent; using "required"`);
      return 'required';
    }
    default: {
      const unknown: { type: string } = choice;
      warnings.push(`tool_choice ${unknown.type} unknown; using the default`);
      return undefined;
    }
  }
}

/** Anthropic turns → OpenAI messages; same-role turns are merged first, as Anthropic itself does. */
function toOpenAIMessages(input: MessageParam[], profile: OpenAIModelProfile, warnings: string[], placeholder: boolean): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  let pending: string[] = []; // tool_call ids of the last assistant turn still owed a tool message
  const turns = mergeTurns(input);
  // Gemini 2.5/3 on Google's endpoint refuse an unsigned call of the current turn (openai-google.ts).
  const current = placeholder ? currentTurnStart(turns, isUserPrompt) : turns.length;
  for (const [i, turn] of turns.entries()) {
    if (turn.role === 'assistant') {
      closePending(out, pending, warnings);
      const message = toAssistantMessage(turn.blocks, profile, warnings);
      if (i >= current) signUnsignedStep(message);
      pending = message.tool_calls?.map((c) => c.id) ?? [];
      out.push(message);
    } else {
      out.push(...toUserMessages(turn.blocks, pending, warnings));
      pending = [];
    }
  }
  return out;
}

type Turn = { role: 'user' | 'assistant'; blocks: ContentBlockParam[] };

/** A user turn that opens a new turn for Gemini: the user's own words, no tool results (as gemini-request.ts). */
function isUserPrompt(turn: Turn): boolean {
  return (
    turn.role === 'user' &&
    turn.blocks.some((b) => (b.type === 'text' && b.text !== '') || b.type === 'document') &&
    !turn.blocks.some((b) => b.type === 'tool_result')
  );
}

/**
 * A step of the current turn whose calls carry no signature (Claude's, another provider's) gets Google's
 * placeholder on its first call, the one Gemini validates (parallel calls are signed on the first only:
 * https://ai.google.dev/gemini-api/docs/thought-signatures), as the Gemini converter does.
 */
function signUnsignedStep(message: Extract<OpenAIMessage, { role: 'assistant' }>): void {
  const calls = message.tool_calls ?? [];
  if (calls.length === 0 || calls.some((c) => c.extra_content?.google?.thought_signature !== undefined)) return;
  calls[0].extra_content = { google: { thought_signature: PLACEHOLDER_SIGNATURE } };
}

function mergeTurns(input: MessageParam[]): Turn[] {
  const turns: Turn[] = [];
  for (const m of input) {
    const blocks: ContentBlockParam[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    const last = turns.at(-1);
    if (last && last.role === m.role) last.blocks = [...last.blocks, ...blocks];
    else turns.push({ role: m.role, blocks });
  }
  return turns;
}

/** A tool call must be answered before anything else; an unanswered one gets a stated placeholder. */
function closePending(out: OpenAIMessage[], pending: string[], warnings: string[]): void {
  for (const id of pending) {
    warnings.push(`tool call ${id} had no tool_result; sent a placeholder result`);
    out.push({ role: 'tool', tool_call_id: id, content: '(no result was recorded for this tool call)' });
  }
}

function toAssistantMessage(
  blocks: ContentBlockParam[],
  profile: OpenAIModelProfile,
  warnings: string[],
): Extract<OpenAIMessage, { role: 'assistant' }> {
  const text: string[] = [];
  const reasoning: string[] = [];
  const calls: OpenAIToolCall[] = [];
  let googleSignature: string | undefined;
  let details: unknown[] | undefined;
  for (const b of blocks) {
    switch (b.type) {
      case 'text':
        if (b.text !== '') text.push(b.text);
        break;
      case 'tool_use': {
        const call: OpenAIToolCall = {
          id: b.id,
          type: 'function',
          function: { name: toOpenAIToolName(b.name), arguments: JSON.stringify(b.input ?? {}) },
        };
        if (googleSignature !== undefined) call.extra_content = { google: { thought_signature: googleSignature } };
        googleSignature = undefined;
        calls.push(call);
        break;
      }
      case 'thinking': {
        // A Gemini signature the stream converter put on a thinking block (openai-stream.ts signatureCarrier).
        const carried = decodeProxySignature(b.signature);
        if (carried?.provider === 'openai-gemini' && carried.state) {
          if (typeof carried.state.google === 'string') googleSignature = carried.state.google;
          if (typeof carried.state.details === 'string') details = JSON.parse(carried.state.details) as unknown[];
        }
        if (b.thinking !== '') reasoning.push(b.thinking);
        break;
      }
      case 'redacted_thinking':
        break; // opaque to everyone but Anthropic
      case 'image':
      case 'document':
      case 'tool_result':
        warnings.push(`assistant ${b.type} block dropped: not valid in an assistant turn`);
        break;
      default:
        warnings.push(`assistant block ${(b as { type: string }).type} dropped: no OpenAI equivalent`);
    }
  }
  const message: Extract<OpenAIMessage, { role: 'assistant' }> = {
    role: 'assistant',
    content: text.length > 0 ? text.join('\n\n') : calls.length > 0 ? null : '',
  };
  if (calls.length > 0) message.tool_calls = calls;
  if (details !== undefined) message.reasoning_details = details;
  // DeepSeek V4 thinking mode 400s without reasoning_content on earlier tool-call turns ("" is accepted).
  if (profile.reasoning === 'deepseek') message.reasoning_content = reasoning.join('\n\n');
  return message;
}

/** tool_result blocks → `tool` messages first (in the order of the calls), then one user message. */
function toUserMessages(blocks: ContentBlockParam[], pending: string[], warnings: string[]): OpenAIMessage[] {
  const results = new Map<string, ToolResultBlockParam>();
  const parts: OpenAIUserPart[] = [];
  const movedImages: OpenAIUserPart[] = [];
  for (const b of blocks) {
    if (b.type === 'tool_result' && pending.includes(b.tool_use_id) && !results.has(b.tool_use_id)) results.set(b.tool_use_id, b);
    else if (b.type === 'tool_result') {
      warnings.push(`tool_result ${b.tool_use_id} answers no preceding tool call; sent as user text`);
      parts.push({ type: 'text', text: `[Result of tool call ${b.tool_use_id}]\n${toolResultContent(b, movedImages, warnings)}` });
    } else parts.push(...userParts(b, warnings));
  }
  const out: OpenAIMessage[] = [];
  for (const id of pending) {
    const result = results.get(id);
    if (result === undefined) {
      warnings.push(`tool call ${id} had no tool_result; sent a placeholder result`);
      out.push({ role: 'tool', tool_call_id: id, content: '(no result was recorded for this tool call)' });
    } else out.push({ role: 'tool', tool_call_id: id, content: toolResultContent(result, movedImages, warnings) });
  }
  const all = [...movedImages, ...parts];
  if (all.length === 0) return out;
  // Text-only turns go as one string: every server takes that, not all take part arrays.
  const content = all.every((p) => p.type === 'text') ? all.map((p) => (p as { text: string }).text).join('\n\n') : all;
  out.push({ role: 'user', content });
  return out;
}

/** The tool message text; images are moved to `images` (tool messages take text only). */
function toolResultContent(result: ToolResultBlockParam, images: OpenAIUserPart[], warnings: string[]): string {
  const text: string[] = [];
  for (const b of toolResultBlocks(result.content)) {
    if (b.type === 'image') {
      const image = imagePart(b, warnings);
      images.push({ type: 'text', text: `[Image from the result of tool call ${result.tool_use_id}]` });
      images.push(image ?? { type: 'text', text: '[image omitted]' });
      text.push('[image attached in the next user message]');
    } else if (b.type === 'text') text.push(b.text);
    else if (b.type === 'document') text.push(documentText(b, warnings));
    else warnings.push(`tool_result block ${b.type} dropped: no OpenAI equivalent`);
  }
  const body = text.join('\n') || '(no content)';
  return result.is_error ? `Error: ${body}` : body;
}

function userParts(b: ContentBlockParam, warnings: string[]): OpenAIUserPart[] {
  switch (b.type) {
    case 'text':
      return b.text === '' ? [] : [{ type: 'text', text: b.text }];
    case 'image': {
      const part = imagePart(b, warnings);
      return [part ?? { type: 'text', text: '[image omitted: not available to this model]' }];
    }
    case 'document':
      return [{ type: 'text', text: documentText(b, warnings) }];
    case 'thinking':
    case 'redacted_thinking':
    case 'tool_use':
      warnings.push(`user ${b.type} block dropped: not valid in a user turn`);
      return [];
    case 'tool_result':
      return []; // handled by the caller
    default:
      warnings.push(`user block ${(b as { type: string }).type} dropped: no OpenAI equivalent`);
      return [];
  }
}

function imagePart(b: ImageBlockParam, warnings: string[]): OpenAIUserPart | null {
  switch (b.source.type) {
    case 'base64':
      return { type: 'image_url', image_url: { url: `data:${b.source.media_type};base64,${b.source.data}` } };
    case 'url':
      return { type: 'image_url', image_url: { url: b.source.url } };
    case 'file':
      warnings.push(`image file ${b.source.file_id} dropped: Anthropic Files API ids mean nothing elsewhere`);
      return null;
    default:
      warnings.push('image with an unknown source dropped');
      return null;
  }
}

/** Plain-text documents are inlined; others become a readable placeholder (and a warning). */
function documentText(b: DocumentBlockParam, warnings: string[]): string {
  const title = b.title ? ` "${b.title}"` : '';
  const s = b.source;
  switch (s.type) {
    case 'text':
      return `[Document${title}]\n${s.data}`;
    case 'content': {
      const text = typeof s.content === 'string' ? s.content : s.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
      return `[Document${title}]\n${text}`;
    }
    case 'base64':
      warnings.push(`document${title} (${s.media_type}) replaced by a placeholder: Chat Completions has no general document input`);
      return `[Document${title} (${s.media_type}) omitted: this model cannot read it]`;
    case 'url':
      warnings.push(`document${title} at ${s.url} replaced by a placeholder`);
      return `[Document${title} at ${s.url} omitted: this model cannot read it]`;
    case 'file':
      warnings.push(`document${title} file ${s.file_id} replaced by a placeholder`);
      return `[Document${title} (file ${s.file_id}) omitted: this model cannot read it]`;
    default:
      warnings.push(`document${title} with an unknown source replaced by a placeholder`);
      return `[Document${title} omitted]`;
  }
}

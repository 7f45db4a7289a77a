// Anthropic Messages request → Gemini generateContent body (pure; what it cannot carry comes back as
// warnings). Tool names, thought signatures and tool_result pairing follow docs/protocols.md §3.2–3.4, §4.1.

import type {
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessagesRequest,
  ThinkingConfig,
  Tool,
  ToolChoice,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from '../../wire/types.ts';
import { isProxySignature } from '../../wire/proxy-signature.ts';
import { isDeferredTool, systemText, toolResultBlocks } from '../../wire/request-parts.ts';
import type { ConversationStore, PrepareOptions } from '../provider.ts';
import { geminiModelLimits } from './gemini-limits.ts';
import { toGeminiFunctionName } from './gemini-names.ts';
import { toolAliasMap } from '../tool-name-alias.ts';
import { toGeminiJsonSchema, toGeminiParameters } from './gemini-schema.ts';
import {
  DUMMY_THOUGHT_SIGNATURE,
  geminiIdFor,
  signaturesFromThinking,
  thoughtSignatureKey,
  validatesThoughtSignatures,
  currentTurnStart,
} from './gemini-thought-signature.ts';
import { modelProfile } from '../../capabilities/model-profiles.ts';
import { fitMedia } from '../../capabilities/media-fit.ts';
import { tierCapabilities } from '../../capabilities/tier-capabilities.ts';
import type {
  GeminiContent,
  GeminiFunctionDeclaration,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequest,
  GeminiThinkingConfig,
} from './gemini-types.ts';

/** What the response converters need from the request. */
export type GeminiContext = {
  /** Where thought signatures are remembered by tool_use id. */
  store: ConversationStore;
  /** Gemini function name → Anthropic tool name, for names Gemini could not take as they are. */
  names: Record<string, string>;
  /** The tool_use ids already in the conversation: an answer's call ids must differ from them. */
  usedIds?: Set<string>;
};

export type GeminiTranslation = { body: GeminiRequest; warnings: string[]; context: GeminiContext };

/** Gemini allows at most five stop sequences (third-party docs; the API answers 400 beyond). */
const MAX_STOP_SEQUENCES = 5;

type Call = { id: string; name: string };

export function toGeminiRequest(req: MessagesRequest, opts: Pick<PrepareOptions, 'tier' | 'model' | 'store'>): GeminiTranslation {
  const warnings: string[] = [];
  const names = toolAliasMap(allToolNames(req), toGeminiFunctionName);
  const contents: GeminiContent[] = [];
  let pending: Call[] = []; // calls of the latest model turn that still need their functionResponse
  let droppedThinking = 0;
  const usedIds = new Set<string>();

  // Images and documents of a type the model cannot read (gif, for one) become placeholders first.
  const fitted = fitMedia(req, tierCapabilities(opts.tier, opts.model));
  warnings.push(...fitted.warnings);
  for (const message of fitted.request.messages) {
    const blocks: ContentBlockParam[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role === 'assistant') {
      const signatures = signaturesFromThinking(blocks);
      const parts: GeminiPart[] = [];
      for (const block of blocks) {
        if (block.type === 'tool_use') usedIds.add(block.id);
        if (block.type === 'thinking' || block.type === 'redacted_thinking') {
          // Ours carried only signatures (read above); Anthropic's are bound to Anthropic.
          if (block.type === 'redacted_thinking' || !isProxySignature(block.signature)) droppedThinking++;
          continue;
        }
        if (block.type === 'tool_use') {
          parts.push(functionCallPart(block, signatures, opts.store));
          pending.push({ id: block.id, name: block.name });
          continue;
        }
        parts.push(...userBlockParts(block, warnings));
      }
      push(contents, 'model', parts);
      continue;
    }
    const results = blocks.filter((b): b is ToolResultBlockParam => b.type === 'tool_result');
    const others = blocks.filter((b) => b.type !== 'tool_result');
    const parts = [...functionResponseParts(pending, results, warnings, opts.store), ...others.flatMap((b) => userBlockParts(b, warnings))];
    pending = [];
    push(contents, 'user', parts);
  }
  if (droppedThinking > 0) warnings.push(`dropped ${droppedThinking} thinking block(s) signed by another provider`);
  if (validatesThoughtSignatures(opts.model)) addDummySignatures(contents);
  // Gemini answers a conversation that ends on its own turn with an empty or refused answer: an
  // assistant prefill is continued from a user turn instead (https://ai.google.dev/api/generate-content).
  if (contents.at(-1)?.role === 'model')
    contents.push({ role: 'user', parts: [{ text: 'Continue exactly where your previous message left off.' }] });

  const body: GeminiRequest = { contents };
  const system = systemText(req.system);
  if (system !== '') body.systemInstruction = { parts: [{ text: system }] };
  const declarations = functionDeclarations(req.tools ?? [], opts.tier.schema ?? 'json', warnings);
  if (declarations.length > 0) {
    body.tools = [{ functionDeclarations: declarations }];
    const toolConfig = functionCallingConfig(req.tool_choice, warnings);
    if (toolConfig) body.toolConfig = { functionCallingConfig: toolConfig };
  }
  body.generationConfig = generationConfig(req, opts, warnings);
  return { body, warnings, context: { store: opts.store, names, usedIds } };
}

function allToolNames(req: MessagesRequest): Set<string> {
  const names = new Set<string>((req.tools ?? []).map((t) => t.name));
  for (const m of req.messages) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) if (b.type === 'tool_use') names.add(b.name);
  }
  return names;
}

/** Appends a turn, merging it into the previous one of the same role; empty turns are left out. */
function push(contents: GeminiContent[], role: GeminiContent['role'], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function functionCallPart(block: ToolUseBlockParam, signatures: Record<string, string>, store: ConversationStore): GeminiPart {
  const args = isRecord(block.input) ? block.input : {};
  const part: GeminiPart = { functionCall: { name: toGeminiFunctionName(block.name), args } };
  const id = geminiIdFor(block.id, store);
  if (id !== undefined) part.functionCall!.id = id;
  // The echoed thinking block survives a restart; the store covers clients that strip thinking.
  const signature = signatures[block.id] ?? store.get(thoughtSignatureKey(block.id));
  if (signature !== undefined) part.thoughtSignature = signature;
  return part;
}

/**
 * One functionResponse per call of the model turn before, in the calls' order (Gemini counts them).
 * Images and PDFs inside a tool_result follow all the functionResponse parts in the same user content:
 * every model takes that, while `functionResponse.parts` is Gemini 3 only.
 */
function functionResponseParts(calls: Call[], results: ToolResultBlockParam[], warnings: string[], store: ConversationStore): GeminiPart[] {
  const responses: GeminiPart[] = [];
  const attachments: GeminiPart[] = [];
  const byId = new Map(results.map((r) => [r.tool_use_id, r]));
  for (const call of calls) {
    const result = byId.get(call.id);
    byId.delete(call.id);
    const name = toGeminiFunctionName(call.name);
    const geminiId = geminiIdFor(call.id, store);
    const id = geminiId !== undefined ? { id: geminiId } : {};
    if (!result) {
      warnings.push(`tool_use ${call.id} (${call.name}) had no tool_result: sent as an error`);
      responses.push({ functionResponse: { ...id, name, response: { error: 'No result was returned for this call.' } } });
      continue;
    }
    const { text, media } = toolResultContent(result, warnings);
    if (media.length > 0) attachments.push({ text: `[Attachments of the ${call.name} result ${call.id}:]` }, ...media);
    responses.push({ functionResponse: { ...id, name, response: result.is_error ? { error: text } : { output: text } } });
  }
  for (const orphan of byId.values()) {
    warnings.push(`tool_result ${orphan.tool_use_id} answers no call of the turn before: sent as text`);
    const { text, media } = toolResultContent(orphan, warnings);
    attachments.push({ text: `[Result of tool call ${orphan.tool_use_id}${orphan.is_error ? ' (error)' : ''}]\n${text}` }, ...media);
  }
  return [...responses, ...attachments];
}

function toolResultContent(result: ToolResultBlockParam, warnings: string[]): { text: string; media: GeminiPart[] } {
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  for (const block of toolResultBlocks(result.content)) {
    for (const part of userBlockParts(block, warnings)) {
      if (part.text !== undefined) texts.push(part.text);
      else media.push(part);
    }
  }
  if (media.length > 0) texts.push(`[${media.length} attachment(s) follow after the function responses]`);
  return { text: texts.join('\n'), media };
}

/** Parts for one user-side block: text, image, document; anything else becomes a readable placeholder. */
function userBlockParts(block: ContentBlockParam, warnings: string[]): GeminiPart[] {
  switch (block.type) {
    case 'text':
      return block.text === '' ? [] : [{ text: block.text }];
    case 'image':
      return imageParts(block, warnings);
    case 'document':
      return documentParts(block, warnings);
    case 'tool_result':
      // Only reached for a tool_result nested where none belongs (inside a document's content).
      warnings.push('a nested tool_result was sent as text');
      return [
        {
          text: toolResultBlocks(block.content)
            .map((b) => (b.type === 'text' ? b.text : `[${b.type}]`))
            .join('\n'),
        },
      ];
    case 'tool_use':
    case 'thinking':
    case 'redacted_thinking':
      return [];
    default: {
      const type = (block as { type: string }).type;
      warnings.push(`${type} block is not supported by Gemini: sent as a placeholder`);
      return [{ text: `[${type} block omitted]` }];
    }
  }
}

function imageParts(block: ImageBlockParam, warnings: string[]): GeminiPart[] {
  const source = block.source;
  switch (source.type) {
    case 'base64':
      return [{ inlineData: { mimeType: source.media_type, data: source.data } }];
    case 'url':
      // fileData takes Files API / Cloud Storage URIs; the proxy does not fetch for the model.
      warnings.push('image given by URL was not attached (Gemini takes inline data): sent as a placeholder');
      return [{ text: `[Image at ${source.url} could not be attached]` }];
    case 'file':
      warnings.push('image from the Anthropic Files API was not attached: sent as a placeholder');
      return [{ text: `[Image file ${source.file_id} could not be attached]` }];
    default:
      warnings.push('image with an unknown source type was not attached');
      return [{ text: '[Image could not be attached]' }];
  }
}

function documentParts(block: DocumentBlockParam, warnings: string[]): GeminiPart[] {
  const source = block.source;
  const title = block.title ? `Document: ${block.title}\n` : '';
  switch (source.type) {
    case 'base64':
      if (source.media_type === 'application/pdf') return [{ inlineData: { mimeType: 'application/pdf', data: source.data } }];
      warnings.push(`document of type ${source.media_type} was not attached: sent as a placeholder`);
      return [{ text: `[${title}Document of type ${source.media_type} could not be attached]` }];
    case 'text':
      return [{ text: title + source.data }];
    case 'content': {
      const inner = typeof source.content === 'string' ? [{ type: 'text' as const, text: source.content }] : source.content;
      const parts = inner.flatMap((b) => userBlockParts(b, warnings));
      return title ? [{ text: title.trimEnd() }, ...parts] : parts;
    }
    case 'url':
      warnings.push('document given by URL was not attached: sent as a placeholder');
      return [{ text: `[${title}Document at ${source.url} could not be attached]` }];
    case 'file':
      warnings.push('document from the Anthropic Files API was not attached: sent as a placeholder');
      return [{ text: `[${title}Document file ${source.file_id} could not be attached]` }];
    default:
      warnings.push('document with an unknown source type was not attached');
      return [{ text: `[${title}Document could not be attached]` }];
  }
}

/**
 * Gemini 3 and 2.5 check signatures only in the current turn (the model turns since the last user text),
 * and there a call with none (Anthropic's, another provider's) gets Google's dummy; which models check is
 * SIGNATURE_RULES (gemini-thought-signature.ts, https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
function addDummySignatures(contents: GeminiContent[]): void {
  const start = currentTurnStart(
    contents,
    (c) =>
      c.role === 'user' &&
      c.parts.some((p) => p.text !== undefined && p.functionResponse === undefined) &&
      !c.parts.some((p) => p.functionResponse !== undefined),
  );
  for (const content of contents.slice(start)) {
    if (content.role !== 'model') continue;
    const calls = content.parts.filter((p) => p.functionCall !== undefined);
    if (calls.length > 0 && !calls.some((p) => p.thoughtSignature !== undefined)) calls[0].thoughtSignature = DUMMY_THOUGHT_SIGNATURE;
  }
}

function functionDeclarations(tools: Tool[], mode: 'json' | 'parameters', warnings: string[]): GeminiFunctionDeclaration[] {
  const out: GeminiFunctionDeclaration[] = [];
  for (const tool of tools) {
    if (isDeferredTool(tool)) {
      // Tool search is Anthropic-only: a deferred tool has no real schema to declare.
      warnings.push(`deferred tool ${tool.name} left out (defer_loading is Anthropic-only)`);
      continue;
    }
    if (tool.type !== undefined && tool.type !== 'custom') {
      warnings.push(`server tool ${tool.name} (${tool.type}) left out: Gemini cannot run it`);
      continue;
    }
    const decl: GeminiFunctionDeclaration = { name: toGeminiFunctionName(tool.name) };
    if (tool.description) decl.description = tool.description;
    if (mode === 'json') decl.parametersJsonSchema = toGeminiJsonSchema(tool.input_schema);
    else {
      const { parameters, warnings: w } = toGeminiParameters(tool.input_schema);
      if (parameters) decl.parameters = parameters;
      warnings.push(...w.map((m) => `tool ${tool.name}: ${m}`));
    }
    out.push(decl);
  }
  return out;
}

function functionCallingConfig(
  choice: ToolChoice | undefined,
  warnings: string[],
): NonNullable<GeminiRequest['toolConfig']>['functionCallingConfig'] | undefined {
  if (choice === undefined) return undefined;
  if (choice.type !== 'none' && choice.disable_parallel_tool_use) warnings.push('disable_parallel_tool_use has no Gemini equivalent');
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'any':
      return { mode: 'ANY' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [toGeminiFunctionName(choice.name)] };
    case 'none':
      return { mode: 'NONE' };
    default:
      return undefined;
  }
}

function generationConfig(req: MessagesRequest, opts: Pick<PrepareOptions, 'tier' | 'model'>, warnings: string[]): GeminiGenerationConfig {
  const limits = geminiModelLimits(opts.model);
  const cap = opts.tier.maxOutputTokens ?? limits.maxOutputTokens;
  const config: GeminiGenerationConfig = { maxOutputTokens: Math.max(1, Math.min(req.max_tokens, cap)) };
  if (req.stop_sequences && req.stop_sequences.length > 0) {
    if (req.stop_sequences.length > MAX_STOP_SEQUENCES)
      warnings.push(`only the first ${MAX_STOP_SEQUENCES} of ${req.stop_sequences.length} stop sequences were sent`);
    config.stopSequences = req.stop_sequences.slice(0, MAX_STOP_SEQUENCES);
  }
  if (typeof req.temperature === 'number') config.temperature = req.temperature;
  if (typeof req.top_p === 'number') config.topP = req.top_p;
  if (typeof req.top_k === 'number') config.topK = req.top_k;
  const thinking = thinkingConfig(req.thinking, limits.thinking, config.maxOutputTokens!, opts.model, warnings);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/**
 * Absent thinking means none, as on Anthropic; Gemini's 2.5 Pro and 3 cannot turn it off, so nothing is
 * sent. Thoughts count against maxOutputTokens, so a budget leaves at least 1,024 tokens for the answer
 * (Anthropic's own rule is budget_tokens < max_tokens).
 */
function thinkingConfig(
  thinking: ThinkingConfig | undefined,
  range: { min: number; max: number; canDisable: boolean } | undefined,
  maxOutputTokens: number,
  model: string,
  warnings: string[],
): GeminiThinkingConfig | undefined {
  const type = thinking?.type ?? 'disabled';
  // Gemini 3 thinks by level, LOW or HIGH on every model (https://ai.google.dev/gemini-api/docs/thinking#thinking-levels);
  // it cannot switch thinking off, so "no thinking" sends nothing.
  if (modelProfile(model).thinking === 'gemini-level') {
    if (type === 'disabled' || !range) return undefined;
    const budget = thinking?.type === 'enabled' ? thinking.budget_tokens : Infinity;
    return { thinkingLevel: budget >= 8192 ? 'HIGH' : 'LOW', includeThoughts: true };
  }
  switch (type) {
    case 'disabled':
      return range?.canDisable ? { thinkingBudget: 0 } : undefined;
    case 'adaptive':
      if (!range) return undefined;
      return { thinkingBudget: -1, includeThoughts: true };
    case 'enabled': {
      if (!range) {
        warnings.push(`thinking not sent: ${model} is not known to think`);
        return undefined;
      }
      const budget = thinking?.type === 'enabled' ? thinking.budget_tokens : range.max;
      const ceiling = Math.max(range.min, Math.min(range.max, maxOutputTokens - 1024));
      return { thinkingBudget: Math.min(ceiling, Math.max(range.min, budget)), includeThoughts: true };
    }
    default:
      return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The fallback providers of the translation tests: how each one's fixtures are replayed (with ids and
// signatures made unique per turn, as a real provider's are) and what the fixtures say, read with a
// parser of the test's own so that no expectation comes from the proxy's code.

import { fixture } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { accumulate } from '../helpers/events.ts';
import type { StreamEvent } from '../../proxy/wire/types.ts';
import { sseJson } from '../../test-support/sse.ts';

export type SentCall = { id: string; name: string; input: unknown; thoughtSignature?: string };
export type SentUsage = { input_tokens: number; output_tokens: number; cache_read_tokens: number };

export type Provider = {
  /** Tier name in the config and the ledger. */
  tier: string;
  protocol: 'openai' | 'gemini';
  model: string;
  /** The parallel-tool-calls fixture for one turn, ids (and Gemini's signature) suffixed with the turn. */
  toolTurn(turn: number): string;
  /** The final text fixture. */
  textTurn: string;
  calls(sse: string): SentCall[];
  text(sse: string): { text: string; reasoning: string };
  usage(sse: string): SentUsage;
};

type OpenAIChunk = {
  choices?: {
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
  }[];
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    prompt_tokens_details?: { cached_tokens?: number };
    prompt_cache_hit_tokens?: number;
  } | null;
};

type GeminiChunk = {
  candidates?: {
    content?: {
      parts?: {
        text?: string;
        thought?: boolean;
        thoughtSignature?: string;
        functionCall?: { id?: string; name: string; args?: unknown };
      }[];
    };
  }[];
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    thoughtsTokenCount?: number;
    cachedContentTokenCount?: number;
  };
};

function openAIProvider(tier: string, model: string, textFixture: string): Provider {
  return {
    tier,
    protocol: 'openai',
    model,
    toolTurn: (turn) => fixture('openai-stream-tool-calls.sse').replace(/"id":"(call_[A-Za-z0-9]+)"/g, `"id":"$1_t${turn}"`),
    textTurn: fixture(textFixture),
    calls(sse) {
      const byIndex = new Map<number, { id: string; name: string; args: string }>();
      for (const chunk of sseJson(sse) as OpenAIChunk[]) {
        for (const d of chunk.choices?.[0]?.delta?.tool_calls ?? []) {
          const call = byIndex.get(d.index) ?? { id: '', name: '', args: '' };
          call.id ||= d.id ?? '';
          call.name ||= d.function?.name ?? '';
          call.args += d.function?.arguments ?? '';
          byIndex.set(d.index, call);
        }
      }
      return [...byIndex.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, c]) => ({ id: c.id, name: c.name, input: JSON.parse(c.args) as unknown }));
    },
    text(sse) {
      let text = '';
      let reasoning = '';
      for (const chunk of sseJson(sse) as OpenAIChunk[]) {
        text += chunk.choices?.[0]?.delta?.content ?? '';
        reasoning += chunk.choices?.[0]?.delta?.reasoning_content ?? '';
      }
      return { text, reasoning };
    },
    usage(sse) {
      const u = (sseJson(sse) as OpenAIChunk[]).findLast((c) => c.usage)!.usage!;
      // docs/protocols.md §4.4: input excludes cached tokens (OpenAI cached_tokens, DeepSeek cache hits).
      const cached = u.prompt_cache_hit_tokens ?? u.prompt_tokens_details?.cached_tokens ?? 0;
      return { input_tokens: u.prompt_tokens - cached, output_tokens: u.completion_tokens, cache_read_tokens: cached };
    },
  };
}

function geminiProvider(tier: string, model: string): Provider {
  return {
    tier,
    protocol: 'gemini',
    model,
    toolTurn: (turn) =>
      fixture('gemini-stream-function-call.sse')
        .replace(/"id":"(fc_[a-z0-9]+)"/g, `"id":"$1_t${turn}"`)
        .replace(
          /"thoughtSignature":"[^"]+"/g,
          `"thoughtSignature":"${Buffer.from(`fake-gemini-thought-signature-turn-${turn}`).toString('base64')}"`,
        ),
    textTurn: fixture('gemini-stream-text.sse'),
    calls(sse) {
      const parts = (sseJson(sse) as GeminiChunk[]).flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
      return parts
        .filter((p) => p.functionCall)
        .map((p) => ({
          id: p.functionCall!.id!,
          name: p.functionCall!.name,
          input: p.functionCall!.args,
          ...(p.thoughtSignature ? { thoughtSignature: p.thoughtSignature } : {}),
        }));
    },
    text(sse) {
      const parts = (sseJson(sse) as GeminiChunk[]).flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
      return {
        text: parts
          .filter((p) => !p.thought && p.text)
          .map((p) => p.text)
          .join(''),
        reasoning: parts
          .filter((p) => p.thought && p.text)
          .map((p) => p.text)
          .join(''),
      };
    },
    usage(sse) {
      const u = (sseJson(sse) as GeminiChunk[]).findLast((c) => c.usageMetadata)!.usageMetadata!;
      const cached = u.cachedContentTokenCount ?? 0;
      // docs/protocols.md §4.4: output = candidates + thoughts; input excludes the cached part.
      return {
        input_tokens: (u.promptTokenCount ?? 0) - cached,
        output_tokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
        cache_read_tokens: cached,
      };
    },
  };
}

export const PROVIDERS: Provider[] = [
  openAIProvider('gpt', 'gpt-4.1', 'openai-stream-text.sse'),
  // DeepSeek V4 over the OpenAI protocol: its final turn carries reasoning_content (a thinking block).
  openAIProvider('deepseek', 'deepseek-v4-flash', 'deepseek-stream-reasoning.sse'),
  geminiProvider('gemini-flash', 'gemini-3-flash-preview'),
];

/** An Anthropic fixture as the message a client accumulates from it (the tests' own accumulator). */
function anthropicMessage(sse: string) {
  const { message } = accumulate(sseJson(sse) as StreamEvent[]);
  return message!;
}

/** The Anthropic usage a fixture ends with: message_start's, replaced by what message_delta carries. */
export function anthropicUsage(sse: string): SentUsage {
  const u = anthropicMessage(sse).usage;
  return { input_tokens: u.input_tokens, output_tokens: u.output_tokens, cache_read_tokens: u.cache_read_input_tokens ?? 0 };
}

/** The tool calls of an Anthropic fixture. */
export function anthropicCalls(sse: string): SentCall[] {
  return anthropicMessage(sse).content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : []));
}

/** The text an Anthropic fixture streams. */
export function anthropicText(sse: string): string {
  return anthropicMessage(sse)
    .content.flatMap((b) => (b.type === 'text' ? [b.text] : []))
    .join('');
}

/** The real proxy with Claude (at `claudeUrl`) first and provider `p` (at `fallbackUrl`) as the fallback tier. */
export function startFallbackHarness(
  p: Provider,
  claudeUrl: string,
  fallbackUrl: string,
  fallback?: Record<string, string>,
): Promise<Harness> {
  return startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claudeUrl },
      { name: p.tier, protocol: p.protocol, base_url: fallbackUrl, api_key: 'fallback-secret-key', model: p.model },
    ],
    fallback,
  });
}

// OpenAI/DeepSeek/OpenRouter usage → Anthropic usage: input_tokens excludes cached tokens (§4.4).

import type { Usage } from '../../wire/types.ts';
import type { OpenAIUsage } from './openai-types.ts';

export function fromOpenAIUsage(u: OpenAIUsage | null | undefined): Usage {
  if (!u) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const prompt = u.prompt_tokens ?? 0;
  const output = u.completion_tokens ?? 0;
  if (u.prompt_cache_hit_tokens !== undefined || u.prompt_cache_miss_tokens !== undefined) {
    // DeepSeek: prompt_tokens = hit + miss.
    const hit = u.prompt_cache_hit_tokens ?? 0;
    const miss = u.prompt_cache_miss_tokens ?? Math.max(0, prompt - hit);
    return { input_tokens: miss, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: hit };
  }
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  const written = u.prompt_tokens_details?.cache_write_tokens ?? 0; // OpenRouter only
  return {
    input_tokens: Math.max(0, prompt - cached - written),
    output_tokens: output,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

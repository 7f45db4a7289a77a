// Per-model limits the request converter clamps to: output tokens and the thinking budget range.
// Source: https://ai.google.dev/gemini-api/docs/models (output limit 65,536 for 2.5 and 3 models, 8,192
// for 2.0/1.5) and https://ai.google.dev/gemini-api/docs/thinking (budget ranges; 2.5 Pro and Gemini 3
// cannot switch thinking off). Unknown names get the conservative values; a tier's
// `max_output_tokens` always wins.

import { modelProfile } from '../../capabilities/model-profiles.ts';

export type GeminiModelLimits = {
  maxOutputTokens: number;
  /** Thinking budget range, or undefined when the model does not think. */
  thinking?: { min: number; max: number; canDisable: boolean };
};

export function geminiModelLimits(model: string): GeminiModelLimits {
  const m = model.toLowerCase().replace(/^models\//, '');
  // `-latest` aliases follow the newest release, Gemini 3 (capabilities/model-profiles.ts).
  if (modelProfile(m).family === 'gemini-3') return { maxOutputTokens: 65_536, thinking: { min: 128, max: 32_768, canDisable: false } };
  if (/gemini-2\.5-pro/.test(m)) return { maxOutputTokens: 65_536, thinking: { min: 128, max: 32_768, canDisable: false } };
  if (/gemini-2\.5-flash-lite/.test(m)) return { maxOutputTokens: 65_536, thinking: { min: 512, max: 24_576, canDisable: true } };
  if (/gemini-2\.5-flash/.test(m)) return { maxOutputTokens: 65_536, thinking: { min: 1, max: 24_576, canDisable: true } };
  // Gemini 3 prefers thinkingLevel but still accepts thinkingBudget; it cannot turn thinking off.
  const version = /gemini-(\d+)(?:\.(\d+))?/.exec(m);
  const major = version ? Number(version[1]) : 0;
  if (major >= 3) return { maxOutputTokens: 65_536, thinking: { min: 128, max: 32_768, canDisable: false } };
  return { maxOutputTokens: 8_192 };
}

// Checks one parsed chunk of a streamGenerateContent answer (or a whole generateContent answer, the same
// shape: https://ai.google.dev/api/generate-content#generatecontentresponse) before the converter reads it
// as a GeminiResponse: candidates, content, parts, functionCall, usageMetadata must be what the reference
// says. One that is not is skipped with a warning, rather than read as something it is not.

import type { Warn } from '../provider.ts';
import { isObject, optArrayOf, optObject, optString } from '../shape.ts';
import type { GeminiResponse } from './gemini-types.ts';

export function geminiChunkOf(value: unknown, warn: Warn): GeminiResponse | null {
  const problem = chunkProblem(value);
  if (problem === null) return value as GeminiResponse;
  warn(`skipped a Gemini chunk ${problem}`);
  return null;
}

function chunkProblem(r: unknown): string | null {
  if (!isObject(r)) return 'that is not an object';
  if (!optObject(r.usageMetadata)) return 'whose usageMetadata is not an object';
  if (!optObject(r.promptFeedback)) return 'whose promptFeedback is not an object';
  if (!optArrayOf(r.candidates, isObject)) return 'whose candidates are not a list of objects';
  for (const c of (r.candidates ?? []) as Record<string, unknown>[]) {
    if (!optString(c.finishReason) || !optString(c.finishMessage)) return 'whose finishReason is not a string';
    if (!optObject(c.content)) return 'whose content is not an object';
    const parts = ((c.content ?? {}) as Record<string, unknown>).parts;
    if (!optArrayOf(parts, isPart)) return 'whose parts are not a list of parts';
  }
  return null;
}

function isPart(p: unknown): boolean {
  if (!isObject(p)) return false;
  if (!optString(p.text) || !optString(p.thoughtSignature)) return false;
  if (p.functionCall === undefined) return true;
  return (
    isObject(p.functionCall) && typeof p.functionCall.name === 'string' && optString(p.functionCall.id) && optObject(p.functionCall.args)
  );
}

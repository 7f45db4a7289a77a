// Anthropic tool names ↔ Gemini function names: Gemini allows only `a-zA-Z0-9_.:-`, starting with a
// letter or `_`, at most 64 characters (Vertex's limit; the API says 128). The mapping is a pure
// function of the name, so every turn maps alike and the way back needs only the request's names
// (providers/tool-name-alias.ts).

import { createHash } from 'node:crypto';

const VALID = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const MAX = 64;

/** The Gemini name for an Anthropic tool name: unchanged when valid, else cleaned plus a short hash. */
export function toGeminiFunctionName(name: string): string {
  if (VALID.test(name)) return name;
  let cleaned = name.replace(/[^A-Za-z0-9_.:-]/g, '_');
  if (!/^[A-Za-z_]/.test(cleaned)) cleaned = '_' + cleaned;
  // The hash keeps two names that clean to the same text apart (`a b` and `a+b`).
  const suffix = '_' + createHash('sha256').update(name).digest('hex').slice(0, 8);
  return cleaned.slice(0, MAX - suffix.length) + suffix;
}

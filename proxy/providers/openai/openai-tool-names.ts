// Tool names OpenAI accepts (^[a-zA-Z0-9_-]{1,64}$): long or odd names (MCP tools) get a short
// deterministic alias, and answers map the alias back (providers/tool-name-alias.ts). Stateless: the
// alias is a function of the name.

import { createHash } from 'node:crypto';

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

/** The name sent to OpenAI: unchanged when valid, else readable head + tail of the name plus a hash of it. */
export function toOpenAIToolName(name: string): string {
  if (VALID.test(name)) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const clean = name.replace(/[^a-zA-Z0-9_-]/g, '_');
  // 20 + "__" + 33 + "_" + 8 = 64: keeps the server prefix and the tool's own name (its end) readable.
  const readable = clean.length <= 55 ? clean : `${clean.slice(0, 20)}__${clean.slice(-33)}`;
  return `${readable}_${hash}`;
}

// How deep JSON may nest where the proxy reads it (request bodies, upstream answers and their events),
// checked on the text before JSON.parse, so no recursive walker ever meets a value deeper than that.

/**
 * How deep arrays and objects may nest in a request body or an upstream answer. Real ones stay far
 * below it (a tool schema a dozen levels, a tool_result three); every walker they later meet (token
 * estimate, converters, schema cleaners, JSON.stringify) recurses, and 8,000 levels overflowed the stack
 * into a 500 (docs/security.md "Bounds").
 */
export const MAX_JSON_DEPTH = 256;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The first offset at which the JSON text nests deeper than `max`, or -1. One pass over the bytes (or a
 * string's code units: UTF-8 and UTF-16 never use these ASCII values inside another character) with a
 * counter, no recursion and no parse, skipping strings; malformed text is JSON.parse's to refuse.
 */
export function tooDeepAt(raw: Uint8Array | string, max: number = MAX_JSON_DEPTH): number {
  const text = typeof raw === 'string';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = text ? raw.charCodeAt(i) : raw[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return i;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return -1;
}

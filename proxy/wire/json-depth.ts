// How deep JSON may nest where the proxy reads it (request bodies, upstream answers and their events),
// checked on the text before JSON.parse, so no recursive walker ever meets a value deeper than that.

/**
 * How deep arrays and objects may nest in a request body or an upstream answer. Real ones stay far
 * below it (a tool schema a dozen levels, a tool_result three); every walker they later meet (token
 * estimate, converters, schema cleaners, JSON.stringify) recurses, and 8,000 levels overflowed the stack
 * into a 500 (docs/security.md "Bounds").
 */
export const MAX_JSON_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The first offset at which the JSON text nests deeper than `max`, or -1. One pass with a counter, no
 * recursion and no parse; strings (most of a request) are skipped with the native `indexOf`. Works on
 * UTF-8 bytes and on a string's code units alike: neither uses these ASCII values inside another
 * character. Malformed text is JSON.parse's to refuse.
 */
export function tooDeepAt(raw: Uint8Array | string, max: number = MAX_JSON_DEPTH): number {
  return typeof raw === 'string'
    ? scan(
        raw,
        max,
        (i) => raw.charCodeAt(i),
        (from) => raw.indexOf('"', from),
      )
    : scan(
        raw,
        max,
        (i) => raw[i],
        (from) => raw.indexOf(QUOTE, from),
      );
}

function scan(raw: { length: number }, max: number, at: (i: number) => number, nextQuote: (from: number) => number): number {
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = at(i);
    if (c === QUOTE) {
      i = stringEnd(i, at, nextQuote);
      if (i < 0) return -1; // an unterminated string: not JSON, and nothing nests inside it
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** The offset of the quote that closes the string opened at `open` (one after an even run of backslashes), or -1. */
function stringEnd(open: number, at: (i: number) => number, nextQuote: (from: number) => number): number {
  for (let q = nextQuote(open + 1); q >= 0; q = nextQuote(q + 1)) {
    let slashes = 0;
    while (at(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return -1;
}

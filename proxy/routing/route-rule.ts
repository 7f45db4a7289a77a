// A routing rule as the config gives it (docs/routing.md): a name, conditions that must all hold, and the tiers
// a matching request is planned over. Globs are compiled once, at load; nothing in a rule is code.

export type HeaderCondition = {
  /** Lower-cased header name. */
  name: string;
  /** true: the header is present; false: it is absent; a string: its value equals it exactly. */
  value: boolean | string;
};

export type RouteRule = {
  name: string;
  /** Indexes into the config's tiers, in the rule's order: the rule's own fallback chain. Empty when every tier it names was left out at load. */
  tiers: number[];
  /** The request's model matches one of these globs (`*` any run of characters, `?` one; case-insensitive). */
  model?: Glob;
  /** The local token estimate (proxy/wire/estimate-tokens.ts) is above this. */
  tokensOver?: number;
  /** The local token estimate is below this. */
  tokensUnder?: number;
  /** true: some message carries an image (also inside a tool result); false: none does. */
  images?: boolean;
  /** One of the request's tools has a name matching one of these globs. */
  tools?: Glob;
  headers?: HeaderCondition[];
};

/** Globs as written (for messages) and as one compiled pattern. */
export type Glob = { patterns: string[]; regex: RegExp };

/** The condition keys a rule may have, in the order the docs list them. */
export const ROUTE_CONDITIONS = ['model', 'tokens_over', 'tokens_under', 'images', 'tools', 'headers'] as const;

/** `claude-haiku-*` → /^(?:claude-haiku-.*)$/i: `*` and `?` are the only special characters. */
export function compileGlobs(patterns: string[]): Glob {
  const alternatives = patterns.map((p) =>
    p
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join(''),
  );
  return { patterns, regex: new RegExp(`^(?:${alternatives.join('|')})$`, 'is') };
}

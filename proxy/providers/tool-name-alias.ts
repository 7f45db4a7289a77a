// Stateless tool-name aliases for providers with stricter name rules: the alias is a pure function of
// the name, so the way back needs only the names the request itself uses (and survives restarts).

/** Alias → original for every name whose alias differs. */
export function toolAliasMap(names: Iterable<string>, toAlias: (name: string) => string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const name of names) {
    const alias = toAlias(name);
    if (alias !== name) map[alias] = name;
  }
  return map;
}

/** The Anthropic name for a name the provider answered with (unknown names pass through). */
export function fromToolAlias(alias: string, map: Record<string, string>): string {
  return Object.hasOwn(map, alias) ? map[alias] : alias;
}

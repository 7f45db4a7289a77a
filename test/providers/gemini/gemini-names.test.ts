// Function names: Gemini's rule (a-zA-Z0-9_.:-, first a letter or _, ≤ 64) and the way back.

import { describe, expect, it } from 'vitest';
import { toGeminiFunctionName } from '../../../proxy/providers/gemini/gemini-names.ts';
import { fromToolAlias, toolAliasMap } from '../../../proxy/providers/tool-name-alias.ts';

const geminiNameMap = (names: string[]) => toolAliasMap(names, toGeminiFunctionName);

const VALID = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

describe('toGeminiFunctionName and the way back', () => {
  it('keeps valid names (Claude Code tools, MCP names) unchanged', () => {
    for (const name of ['Read', 'mcp__github__create_issue', 'a.b:c-d']) expect(toGeminiFunctionName(name)).toBe(name);
  });

  it('maps invalid names to valid, distinct names and back through the map built from the request', () => {
    const names = ['1tool', 'has space', 'has+space', 'slash/name', 'mcp__' + 'x'.repeat(80), 'ünïcode'];
    const mapped = names.map(toGeminiFunctionName);
    for (const g of mapped) expect(g).toMatch(VALID);
    expect(new Set(mapped).size).toBe(names.length);
    const map = geminiNameMap(names);
    expect(mapped.map((g) => fromToolAlias(g, map))).toEqual(names);
  });

  it('is deterministic, so every turn of a conversation maps a name alike', () => {
    expect(toGeminiFunctionName('weird name!')).toBe(toGeminiFunctionName('weird name!'));
  });

  it('leaves a name that was never mapped as it is on the way back', () => {
    expect(fromToolAlias('Bash', geminiNameMap(['x y']))).toBe('Bash');
  });
});

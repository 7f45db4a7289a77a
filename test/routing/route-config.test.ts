// `routes:` in the config: what a rule reads as, and every mistake a config error naming its key and line.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';

const TIERS = [
  'tiers:',
  '  - name: claude',
  '    protocol: anthropic',
  '    base_url: https://api.anthropic.com',
  '  - name: deepseek',
  '    protocol: anthropic',
  '    base_url: https://api.deepseek.com/anthropic',
  '    api_key: ${DEEPSEEK_API_KEY}',
  '  - name: gemini',
  '    protocol: gemini',
  '    base_url: https://generativelanguage.googleapis.com',
  '    api_key: g-key',
  '    model: gemini-2.5-flash',
].join('\n');
// Line numbers below count from here: TIERS is 13 lines, so `routes:` is line 14 and the first rule's name line 15.
const ENV = { DEEPSEEK_API_KEY: 'd-key' };
const parse = (routes: string, env: NodeJS.ProcessEnv = ENV) => parseConfig(`${TIERS}\nroutes:\n${routes}`, 'f.yaml', env);

describe('routes in the config', () => {
  it('reads each condition, and the tiers as indexes in the rule’s own order', () => {
    const c = parse(
      [
        '  - name: background',
        '    model: claude-haiku-*',
        '    tiers: [deepseek, claude]',
        '  - name: long',
        '    tokens_over: 150000',
        '    tokens_under: 900000',
        '    tiers: gemini',
        '  - name: pictures',
        '    images: true',
        '    tools: [Read, "mcp__*"]',
        '    headers: { X-Claude-Code-Agent-Id: true, x-app: cli, x-other: false }',
        '    tiers: [gemini, claude]',
      ].join('\n'),
    );
    expect(c.routes.map((r) => [r.name, r.tiers])).toEqual([
      ['background', [1, 0]],
      ['long', [2]],
      ['pictures', [2, 0]],
    ]);
    expect(c.routes[0].model?.patterns).toEqual(['claude-haiku-*']);
    expect(c.routes[1]).toMatchObject({ tokensOver: 150000, tokensUnder: 900000 });
    expect(c.routes[2]).toMatchObject({
      images: true,
      headers: [
        { name: 'x-claude-code-agent-id', value: true },
        { name: 'x-app', value: 'cli' },
        { name: 'x-other', value: false },
      ],
    });
    expect(c.routes[2].tools?.patterns).toEqual(['Read', 'mcp__*']);
  });

  it('has no rules when the key is absent', () => {
    expect(parseConfig(TIERS, 'f.yaml', ENV).routes).toEqual([]);
  });

  it('drops a tier left out at load (its ${VAR} unset) from the rule, and keeps the rule', () => {
    const c = parse('  - name: background\n    model: claude-haiku-*\n    tiers: [deepseek, gemini]\n', {});
    expect(c.tiers.map((t) => t.name)).toEqual(['claude', 'gemini']);
    expect(c.routes[0].tiers).toEqual([1]);
  });

  it.each([
    [
      '  - name: a\n    modle: claude-haiku-*\n    tiers: [claude]\n',
      'f.yaml:16: routes[0].modle: unknown condition "modle" (conditions: model, tokens_over',
    ],
    [
      '  - name: a\n    model: claude-haiku-*\n    tiers: [deepsek]\n',
      'f.yaml:17: routes[0].tiers[0]: no tier named "deepsek" (did you mean "deepseek"?)',
    ],
    ['  - name: a\n    model: x\n    tiers: [claude, claude]\n', 'f.yaml:17: routes[0].tiers[1]: "claude" is named twice'],
    ['  - name: a\n    model: x\n', 'f.yaml:15: routes[0].tiers: required'],
    ['  - name: a\n    model: x\n    tiers: []\n', 'f.yaml:17: routes[0].tiers: must name at least one tier'],
    ['  - name: a\n    tiers: [claude]\n', 'f.yaml:15: routes[0]: a rule needs at least one condition'],
    ['  - model: x\n    tiers: [claude]\n', 'f.yaml:15: routes[0].name: every rule needs a name'],
    [
      '  - name: a\n    model: x\n    tiers: [claude]\n  - name: a\n    model: y\n    tiers: [claude]\n',
      'f.yaml:18: routes[1].name: duplicate rule name "a"',
    ],
    [
      '  - name: a\n    tokens_over: 5000\n    tokens_under: 5000\n    tiers: [claude]\n',
      'f.yaml:17: routes[0].tokens_under: 5000 leaves no count above tokens_over (5000)',
    ],
    [
      '  - name: a\n    tokens_over: 5000\n    tokens_under: 5001\n    tiers: [claude]\n',
      'f.yaml:17: routes[0].tokens_under: 5001 leaves no count above tokens_over (5000)',
    ],
    ['  - name: a\n    tokens_under: 0\n    tiers: [claude]\n', 'f.yaml:16: routes[0].tokens_under: no request is under 0 tokens'],
    [
      '  - name: a\n    tokens_over: -1\n    tiers: [claude]\n',
      'f.yaml:16: routes[0].tokens_over: must be a whole number from 0 to 100000000, got -1',
    ],
    [
      '  - name: a\n    tokens_over: 1e12\n    tiers: [claude]\n',
      'f.yaml:16: routes[0].tokens_over: must be a whole number from 0 to 100000000',
    ],
    ['  - name: a\n    images: yes please\n    tiers: [claude]\n', 'f.yaml:16: routes[0].images: must be true or false'],
    ['  - name: a\n    model: ""\n    tiers: [claude]\n', 'f.yaml:16: routes[0].model: must be a name or glob'],
    [
      '  - name: a\n    headers: { "bad header": true }\n    tiers: [claude]\n',
      'f.yaml:16: routes[0].headers.bad header: "bad header" is not a header name',
    ],
    [
      '  - name: a\n    headers: { x-app: 3 }\n    tiers: [claude]\n',
      'f.yaml:16: routes[0].headers.x-app: must be true (present), false (absent) or the exact value',
    ],
    ['  - name: "a b"\n    model: x\n    tiers: [claude]\n', 'f.yaml:15: routes[0].name: "a b" may hold only letters'],
    ['  name: a\n', 'f.yaml:15: routes: must be a list of rules'],
  ])('rejects %j', (routes, message) => {
    expect(() => parse(routes)).toThrow(message);
  });

  it('runs nothing from the file: a condition is data, and a would-be regex is matched as literal text', () => {
    const c = parse('  - name: a\n    model: "claude-(.*)+$"\n    tiers: [claude]\n');
    expect(c.routes[0].model!.regex.test('claude-(.*)+$')).toBe(true);
    expect(c.routes[0].model!.regex.test('claude-haiku')).toBe(false);
  });
});

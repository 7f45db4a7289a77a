// The optional `schema: json | parameters` key of a gemini tier in .fallbackrc.yaml.

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../proxy/config.ts';

const tier = (extra: string, protocol = 'gemini') => `tiers:
  - name: g
    protocol: ${protocol}
    base_url: https://generativelanguage.googleapis.com
    api_key: k
    model: gemini-2.5-flash
${extra}`;

describe('tier.schema', () => {
  it('is absent by default (parametersJsonSchema is sent)', () => {
    expect(parseConfig(tier(''), 'f.yaml').tiers[0].schema).toBeUndefined();
  });

  it('accepts parameters and json on a gemini tier', () => {
    expect(parseConfig(tier('    schema: parameters'), 'f.yaml').tiers[0].schema).toBe('parameters');
    expect(parseConfig(tier('    schema: json'), 'f.yaml').tiers[0].schema).toBe('json');
  });

  it('rejects an unknown mode, naming the key and the line', () => {
    expect(() => parseConfig(tier('    schema: openapi'), 'f.yaml')).toThrow(
      /f\.yaml:7: tiers\[0\]\.schema: unknown schema mode "openapi"/,
    );
  });

  it('rejects the key on a tier that is not gemini', () => {
    expect(() => parseConfig(tier('    schema: json', 'openai'), 'f.yaml')).toThrow(ConfigError);
  });
});

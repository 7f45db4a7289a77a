// The one first-party rule: which base_url is Anthropic's own API (strict: https, default port, no user),
// and which tier is first party (config `vendor:`, client credentials, the host, or no key of its own).

import { describe, expect, it } from 'vitest';
import { isAnthropicApi, isFirstParty } from '../proxy/first-party.ts';
import { parseConfig } from '../proxy/config.ts';

describe('isAnthropicApi', () => {
  it.each([
    ['https://api.anthropic.com', true],
    ['https://api.anthropic.com/', true],
    ['https://API.Anthropic.com/v1', true],
    ['https://api.anthropic.com:443', true],
    ['http://api.anthropic.com', false],
    ['https://api.anthropic.com:8443', false],
    ['https://user@api.anthropic.com', false],
    ['https://api.anthropic.com.example.com', false],
    ['https://api.anthropic.com@example.com', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isAnthropicApi(url)).toBe(expected);
  });
});

describe('isFirstParty', () => {
  it.each([
    [{ baseUrl: 'https://api.anthropic.com', apiKey: 'k' }, true],
    [{ baseUrl: 'http://api.anthropic.com', apiKey: 'k' }, false], // not Anthropic's published API: a vendor
    [{ baseUrl: 'https://api.deepseek.com/anthropic', apiKey: 'k' }, false],
    [{ baseUrl: 'https://gateway.example.com', apiKey: 'k', vendor: 'anthropic' as const }, true],
    [{ baseUrl: 'https://gateway.example.com', clientCredentials: true }, true],
    [{ baseUrl: 'http://127.0.0.1:9' }, true], // no key of its own: the client's Anthropic credentials go there
    [{ baseUrl: 'http://127.0.0.1:9', vendor: 'deepseek' as const }, false],
  ])('%o → %s', (tier, expected) => {
    expect(isFirstParty(tier)).toBe(expected);
  });
});

describe('the config gives Claude Code credentials by the same host rule', () => {
  const config = (url: string) =>
    `tiers:\n  - name: a\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n  - name: b\n    protocol: anthropic\n    base_url: ${url}\n`;

  it('a keyless later tier at Anthropic’s API written in another case gets them', () => {
    expect(parseConfig(config('https://API.anthropic.com/'), 'f.yaml', {}).tiers[1].clientCredentials).toBe(true);
  });

  it('a keyless later tier at http://api.anthropic.com is refused: the key would go in clear text', () => {
    expect(() => parseConfig(config('http://api.anthropic.com'), 'f.yaml', {})).toThrow(/has no api_key/);
  });
});

// redact hides a secret and, for a URL, its path and query wherever they appear.

import { expect, it } from 'vitest';
import { redact } from '../../proxy/redact.ts';

it('hides the whole URL and its token path, leaving other text alone', () => {
  const url = 'https://discord.com/api/webhooks/123/abcTOKEN';
  expect(redact(`posting to ${url} failed; path /api/webhooks/123/abcTOKEN`, [url])).toBe('posting to [redacted] failed; path [redacted]');
  expect(redact('key sk-123456 used', ['sk-123456'])).toBe('key [redacted] used');
  expect(redact('nothing here', [url, ''])).toBe('nothing here');
});

// Issue 19, item 7: upstream error text reached the terminal and the log file as it came: `ESC]52`
// (writes the clipboard), `ESC]0` (sets the window title), CR/LF that forge log lines. Every control
// character from outside is escaped by one function (proxy/terminal-text.ts) that the log writer uses.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { ASK } from '../helpers/loose-tiers.ts';
import { escapeControl } from '../../proxy/terminal-text.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const ESC = '\u001b';
const HOSTILE = `Overloaded${ESC}]52;c;ZXZpbCBjb21tYW5k${ESC}\\${ESC}]0;pwned\u0007\r\n2026-12-07T23:00:00.000Z claude: recovered, all is well\u009b31m`;
// Any control character a terminal acts on: C0 but tab, DEL, C1 (0x9b is a one-byte CSI), U+2028/2029.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

describe('terminal and log injection (item 7)', () => {
  it('logs an upstream error message that holds OSC 52, OSC 0, CR/LF and a C1 CSI as visible escapes, on one line', async () => {
    // Claude is rate-limited; the backup refuses the request with the hostile text (its 4xx message is logged).
    const claude = await startFakeUpstream(() => ({
      kind: 'json',
      status: 429,
      body: JSON.parse(fixture('anthropic-429.json')),
      headers: { 'retry-after': '3600' },
    }));
    const backup = await startFakeUpstream(() => ({
      kind: 'json',
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: HOSTILE } },
    }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: claude.url },
        { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'k-backup' },
      ],
    });
    cleanup.push(
      () => claude.close(),
      () => backup.close(),
      () => h.close(),
    );
    const r = await rawRequest(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ASK, stream: true }),
    });
    expect(r.status).toBe(400);
    const quoting = h.logs.filter((l) => l.includes('ZXZpbCBjb21tYW5k'));
    expect(quoting.length).toBeGreaterThan(0);
    for (const line of h.logs) expect(line).not.toMatch(CONTROL);
    expect(quoting[0]).toContain('\\e]52;c;ZXZpbCBjb21tYW5k\\e\\\\e]0;pwned\\x07\\r\\n2026-12-07T23:00:00.000Z claude: recovered');
    expect(quoting[0]).toContain('\\x9b31m');
  });

  it('escapes each control character visibly and leaves tab, text and non-Latin scripts alone', () => {
    expect(escapeControl('a\tb ✓ 日本語 café')).toBe('a\tb ✓ 日本語 café');
    expect(escapeControl(`x${ESC}[2Jy\u0000\u007f\u2028`)).toBe('x\\e[2Jy\\x00\\x7f\\u2028');
  });
});

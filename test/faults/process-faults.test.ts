// Process faults: a writer killed with SIGKILL mid-ledger, and two proxies sharing one repository.

import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { startApp } from '../../proxy/app.ts';
import { readLedger } from '../../proxy/git/ledger.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const LEDGER_TS = join(import.meta.dirname, '..', '..', 'proxy', 'git', 'ledger.ts');

describe('process faults', () => {
  it('leaves a ledger that readers still parse after SIGKILL during writes', async () => {
    const repo = await makeRepo();
    const path = join(repo, '.git', 'model-ledger');
    const script = join(repo, 'writer.mts');
    writeFileSync(
      script,
      `import { createLedgerWriter } from ${JSON.stringify(LEDGER_TS)};
const w = createLedgerWriter(${JSON.stringify(path)});
process.stdout.write('ready\\n');
for (let i = 0; ; i++) await w.append({ kind: 'usage', tier: 't', model: 'm'.repeat(2000), input_tokens: i, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0, ms: 1, stream: true });
`,
    );
    const child = execa('node', ['--import', 'tsx', script], { reject: false, cwd: join(import.meta.dirname, '..', '..') });
    await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await child;
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const events = readLedger(path);
    expect(events.length).toBeGreaterThan(10);
    // Every line but a possibly torn last one is whole, and the reader returns exactly those.
    const whole = lines.filter((l) => l.endsWith('}'));
    expect(events.length).toBeGreaterThanOrEqual(lines.length - 1);
    expect(events.length).toBe(whole.length);
    expect(events.map((e) => (e as { input_tokens: number }).input_tokens)).toEqual(events.map((_, i) => i));
  });

  it('keeps ledger lines whole when two proxies on one repository write at once, and refuses a shared port', async () => {
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const repo = await makeRepo();
    const configFile = join(repo, 'c.yaml');
    writeFileSync(configFile, configYaml({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }] }));
    const one = await startApp({ repo, configFile, log: () => {}, env: {} });
    const two = await startApp({ repo, configFile, log: () => {}, env: {} });
    cleanup.push(
      () => up.close(),
      () => one.proxy.close(200),
      () => two.proxy.close(200),
    );
    await expect(startApp({ repo, configFile, port: one.port, log: () => {}, env: {} })).rejects.toThrow(
      `port ${one.port} on 127.0.0.1 is already in use`,
    );

    const req = { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    const clients = [one, two].map((a) => new Anthropic({ apiKey: 'x', baseURL: `http://127.0.0.1:${a.port}`, maxRetries: 0 }));
    await Promise.all(Array.from({ length: 60 }, (_, i) => clients[i % 2].messages.stream(req).finalMessage()));
    await Promise.all([one.proxy.ledger.flushed(), two.proxy.ledger.flushed()]);
    const text = readFileSync(one.ledgerPath, 'utf8');
    // Two writers at once may leave an empty line (one saw the other's line half-copied and started afresh);
    // readers skip empty lines. What must never happen is a line that is not whole JSON.
    const lines = text
      .trimEnd()
      .split('\n')
      .filter((l) => l !== '');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(readLedger(one.ledgerPath).filter((e) => e.kind === 'usage')).toHaveLength(60);
  });
});

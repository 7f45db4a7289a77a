// The ledger file: a torn last line never swallows the next one, readers skip lines whose fields have the wrong
// types, and the writers' lines come back typed by kind.

import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendLedger, createLedgerWriter, parseLedger, readLedger, type SwitchEvent } from '../../proxy/git/ledger.ts';
import { tempDir } from '../hooks/repo.ts';

const usage = {
  kind: 'usage',
  tier: 'claude',
  model: 'claude-sonnet-4-5',
  input_tokens: 10,
  output_tokens: 2,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  ms: 5,
  stream: true,
} as const;

describe('the ledger', () => {
  it('starts a line on a fresh line after a torn one, with the sync appender and the proxy writer alike', async () => {
    const file = join(tempDir('ledger'), 'model-ledger');
    appendLedger(file, { kind: 'start', active: 'claude', tiers: ['claude', 'deepseek'], pid: 1, port: 8000 });
    appendFileSync(file, '{"ts":"2026-11-25T10:00:00.000Z","kind":"usage","tier":"cla'); // a crash mid-line
    appendLedger(file, { kind: 'switch', from: 'claude', to: 'deepseek', reason: 'rate_limit' });
    appendFileSync(file, '{"ts":"2026-11-25T10:00:01.000Z","kind":"sw'); // ENOSPC mid-line
    const writer = createLedgerWriter(file);
    await writer.append(usage);
    await writer.append({ kind: 'stop', active: 'deepseek' });
    await writer.close();
    expect(readLedger(file).map((e) => e.kind)).toEqual(['start', 'switch', 'usage', 'stop']);
    expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
  });

  it('skips well-formed lines whose fields have the wrong types, and unknown kinds', () => {
    const lines = [
      '{"kind":"usage"}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"usage","tier":"claude","model":7,"input_tokens":1,"output_tokens":1}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"switch","from":"claude","to":["x"],"reason":"rate_limit"}',
      '{"ts":"not a date","kind":"stop","active":null}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"start","active":"claude","tiers":"claude","pid":1,"port":8000}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"edit","tier":"claude","path":null,"tool":"Write","id":"toolu_1"}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"accept","model":"claude","commits":[1]}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"dance"}',
      '[1,2,3]',
      'null',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"stop","active":null}',
      '{"ts":"2026-11-25T10:00:00.000Z","kind":"usage","tier":"claude","model":"m","input_tokens":3,"output_tokens":4}',
    ];
    expect(parseLedger(lines.join('\n')).map((e) => e.kind)).toEqual(['stop', 'usage']);
  });

  it('gives each appended line back typed by its kind', async () => {
    const file = join(tempDir('ledger'), 'model-ledger');
    const writer = createLedgerWriter(file);
    const written: SwitchEvent = await writer.append({ kind: 'switch', from: 'claude', to: 'deepseek', reason: 'overloaded', status: 529 });
    await writer.close();
    expect(written).toMatchObject({ kind: 'switch', to: 'deepseek', status: 529 });
    expect(Date.parse(written.ts)).not.toBeNaN();
    expect(readLedger(file)).toEqual([written]);
  });
});

// The bench's step timeouts: a process that outlives its budget is killed and reported as TimedOut (which the rows
// show as "timed out after N s"), and one that ends in time gives its time and exit code.

import { describe, expect, it } from 'vitest';
import { TimedOut, timeProcess, within } from './processes.ts';

describe('timeProcess', () => {
  it('gives the time to exit and the exit code', async () => {
    const r = await timeProcess(['sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('kills a process that outlives its timeout and rejects with TimedOut', async () => {
    const t0 = performance.now();
    const err = await timeProcess(['sleep', '30'], { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimedOut);
    expect((err as TimedOut).message).toContain('timed out after 2 s');
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('within', () => {
  it('passes a value that comes in time through', async () => {
    await expect(within(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});

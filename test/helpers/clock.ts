// A clock for the proxy that runs with real time but can be moved on, so a test ends a cooldown at once
// instead of sleeping through it.

import type { Clock } from '../../proxy/engine/clock.ts';

export type TestClock = Clock & {
  /** Moves the clock `ms` ahead of real time (on top of any earlier moves). */
  advance(ms: number): void;
};

export function createTestClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}

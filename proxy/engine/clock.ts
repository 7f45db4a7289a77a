// The time the fallback decisions are made by (cooldowns, the tier plan, /status): a parameter, so a
// test can move it on instead of sleeping until a cooldown ends. Durations are measured on real time.

export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };

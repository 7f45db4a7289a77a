// Durations and sizes as people write them in config: `15m`, `10s`, `500ms`, `1h30m`; `32MB`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * The longest duration a config key may name: Node's timers hold at most 2^31−1 ms (24.8 days) and fire
 * after 1 ms past it, which would turn a long holdback or timeout silently off (docs/config.md).
 */
export const MAX_DURATION_MS = 24 * 86_400_000;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION.test(t)) return undefined;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(PART)) ms += Number(n) * UNIT_MS[unit];
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes from `32MB`, `512kb`, `1000`; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

/**
 * A duration for people, two units at most: `850ms`, `42s`, `5m 3s`, `1h 5m`, `3d 4h`; a negative one is
 * `0ms`. The one formatter of the proxy's logs, the notifications, `status` and `review` (it replaced three
 * that disagreed: below a second, days, and whether `90s` is `90s` or `1m 30s`). Hours up to 48, then days.
 */
export function formatDuration(ms: number): string {
  if (!(ms > 0)) return '0ms';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small > 0 ? `${big}${bigUnit} ${small}${smallUnit}` : `${big}${bigUnit}`;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return pair(m, 'm', s % 60, 's');
  const h = Math.floor(m / 60);
  if (h < 48) return pair(h, 'h', m % 60, 'm');
  return pair(Math.floor(h / 24), 'd', h % 24, 'h');
}

/** A duration as config writes it, exactly, largest unit first: `24d`, `7d`, `1h30m`, `1s500ms`. */
export function durationText(ms: number): string {
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || '0ms';
}

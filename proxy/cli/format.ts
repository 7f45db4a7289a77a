// Small text helpers the subcommands share: local clock times, token counts, money (durations: proxy/duration.ts).

/** `14:05` today, `Dec 3 14:05` otherwise (local time). */
export function when(iso: string | number, now = Date.now()): string {
  const d = new Date(iso);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return new Date(now).toDateString() === d.toDateString() ? hm : `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${hm}`;
}

export function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(n);
}

export { usd } from '../money.ts';

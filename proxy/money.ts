// How a cost is written, in one place: a cost with no price is "unpriced" everywhere (CLI, review, status line,
// dashboard), never $0, which would read as free; the note that names the unpriced models is worded here too.

export const UNPRICED = 'unpriced';

/** `$0`, `$0.0123` under a dollar, `$4.56` above, or "unpriced". */
export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined) return UNPRICED;
  return n === 0 ? '$0' : n < 1 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

/** The one note under a table with unpriced rows: which tier/model pairs, and how to price them. */
export function unpricedNote(models: readonly string[], readOn: string): string {
  return `${UNPRICED}: ${models.join(', ')}: give the tier a price: {input, output, cache_read} (USD per million tokens) in .fallbackrc.yaml (built-in prices read ${readOn})`;
}

/** Cache savings: "-" when cache reads saved nothing, "unpriced" when they had no price, else usd(). */
export function savedUsd(n: number | null | undefined): string {
  return n === 0 ? '-' : usd(n);
}

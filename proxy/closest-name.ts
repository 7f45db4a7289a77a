// The known name closest to a mistyped one (`retry claud` → "claude"), for "did you mean" hints.

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The name within a third of its length (at least 2 edits) of `typed`, a prefix of it, or null. */
export function closestName(typed: string, names: readonly string[]): string | null {
  const t = typed.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const name of names) {
    const n = name.toLowerCase();
    const d = n.startsWith(t) || t.startsWith(n) ? Math.min(1, Math.abs(n.length - t.length)) : editDistance(t, n);
    if (d <= Math.max(2, Math.floor(n.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

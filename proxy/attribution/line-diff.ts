// Which lines of a new version are lines of the old one: Myers' O(ND) diff (the algorithm git diff uses by default),
// after the common head and tail are taken off. Pure and synchronous.

/** Edit distance beyond which two versions count as unrelated (no line kept): bounds time and memory (~D² ints). */
export const MAX_EDIT_DISTANCE = 4000;

/**
 * For each line of `b`, the index of the line of `a` it is kept from, or -1 for a line `b` added. Versions further
 * apart than `maxD` edits keep only their common head and tail.
 */
export function keptLines(a: readonly string[], b: readonly string[], maxD = MAX_EDIT_DISTANCE): Int32Array {
  const map = new Int32Array(b.length).fill(-1);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) {
    map[head] = head;
    head++;
  }
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
    map[b.length - 1 - tail] = a.length - 1 - tail;
    tail++;
  }
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  if (midA.length > 0 && midB.length > 0) for (const [i, j] of myers(midA, midB, maxD)) map[head + j] = head + i;
  return map;
}

/** The pairs (index in a, index in b) of equal lines on a shortest edit script; none when it is longer than maxD. */
function myers(a: readonly string[], b: readonly string[], maxD: number): [number, number][] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && d <= maxD && found < 0; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2)); // v after round d-1, for k = -d-1 … d+1
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return [];
  const pairs: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d];
    const at = (k: number) => vd[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    pairs.push([x, y]);
  }
  return pairs;
}

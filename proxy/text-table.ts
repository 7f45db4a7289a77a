// The one plain-text table printer (status, review, the start banner's tiers, the bench): columns padded
// to the widest cell, two spaces apart, no trailing spaces; colour codes in a cell do not count as width.

export type Align = 'left' | 'right';

const ANSI = /\x1b\[[0-9;]*m/g;

/** The width a cell takes on a terminal: its length without colour codes. */
export function visibleWidth(cell: string): number {
  return cell.replace(ANSI, '').length;
}

/** `rows` as aligned lines; `align[i]` is column i's alignment (left when not given). */
export function renderTable(rows: readonly (readonly string[])[], opts: { align?: readonly Align[] } = {}): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => visibleWidth(r[c] ?? ''))));
  const pad = (cell: string, c: number) => {
    const fill = ' '.repeat(widths[c] - visibleWidth(cell));
    return opts.align?.[c] === 'right' ? fill + cell : cell + fill;
  };
  return rows.map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
}

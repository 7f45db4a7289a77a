// The one table printer: widest cell per column, two spaces apart, right-aligned columns on request,
// colour codes not counted as width, no trailing spaces.

import { describe, expect, it } from 'vitest';
import { renderTable } from '../proxy/text-table.ts';

describe('renderTable', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing spaces', () => {
    expect(
      renderTable([
        ['model', 'cost'],
        ['gemini-flash', '$1'],
        ['x', ''],
      ]),
    ).toBe(['model         cost', 'gemini-flash  $1', 'x'].join('\n'));
  });

  it('right-aligns the columns it is told to', () => {
    expect(
      renderTable(
        [
          ['tier', 'requests'],
          ['a', '7'],
          ['bb', '1200'],
        ],
        { align: ['left', 'right'] },
      ),
    ).toBe(['tier  requests', 'a            7', 'bb        1200'].join('\n'));
  });

  it('does not count colour codes as width', () => {
    const green = '\x1b[32mactive\x1b[39m';
    expect(
      renderTable([
        [green, 'a'],
        ['ready', 'b'],
      ]).split('\n'),
    ).toEqual([`${green}  a`, 'ready   b']);
  });

  it('takes rows of different lengths', () => {
    expect(renderTable([['a', 'b', 'c'], ['dd']])).toBe('a   b  c\ndd');
  });
});

// Reading the attribution notes as the format says (docs/git.md, "Line attribution notes"): a note that does not parse or
// has another version is absent, unknown keys are ignored, a line no range covers is the person's, and names from a
// note (which may come from another clone) that are not tier names or model ids are dropped before any terminal.

import { describe, expect, it } from 'vitest';
import { contributorAt, parseNote } from '../../proxy/attribution/note-format.ts';
import { renderBlame } from '../../proxy/blame/render.ts';
import { Chalk } from 'chalk';

const note = (files: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 'claude-fallback/1', commit: 'c'.repeat(40), files, ...extra });

describe('parseNote', () => {
  it('treats another version, a non-object or broken JSON as no note', () => {
    expect(parseNote(JSON.stringify({ version: 'claude-fallback/2', files: [] }))).toBeNull();
    expect(parseNote('[]')).toBeNull();
    expect(parseNote('{"version":"claude-fallback/1","files":[')).toBeNull();
  });

  it('ignores unknown keys and finds who wrote a line; uncovered lines are the person’s', () => {
    const n = parseNote(
      note(
        [
          {
            path: 'a.ts',
            extra: 1,
            ranges: [{ start_line: 2, end_line: 3, contributor: { type: 'ai', tier: 'gemini-flash', x: 1 }, y: 2 }],
          },
        ],
        {
          future: true,
        },
      ),
    );
    expect(contributorAt(n, 'a.ts', 1)).toEqual({ type: 'human' });
    expect(contributorAt(n, 'a.ts', 2)).toEqual({ type: 'ai', tier: 'gemini-flash' });
    expect(contributorAt(n, 'a.ts', 3)).toEqual({ type: 'ai', tier: 'gemini-flash' });
    expect(contributorAt(n, 'b.ts', 2)).toEqual({ type: 'human' });
  });

  it('drops malformed ranges and names that could drive a terminal', () => {
    const n = parseNote(
      note([
        {
          path: 'a.ts',
          ranges: [
            { start_line: 0, end_line: 1, contributor: { type: 'ai', tier: 'x' } },
            { start_line: 3, end_line: 2, contributor: { type: 'ai', tier: 'x' } },
            { start_line: 1, end_line: 1, contributor: { type: 'robot' } },
            { start_line: 2, end_line: 2, contributor: { type: 'ai', tier: '\u001b]52;c;aGk=\u0007', model_id: 'evil\nModel: x' } },
          ],
        },
      ]),
    );
    expect(n!.files[0].ranges).toEqual([{ start_line: 2, end_line: 2, contributor: { type: 'ai' } }]);
    const text = renderBlame(
      [{ line: 1, commit: 'a'.repeat(40), orig_line: 1, orig_path: 'a.ts', contributor: { type: 'ai' }, content: 'x\u001b[2Jy\r' }],
      new Chalk({ level: 0 }),
    );
    expect(text).toBe(`aaaaaaaa unknown model 1) x\\e[2Jy\n`);
  });
});

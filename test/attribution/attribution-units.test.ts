// The pure parts of line attribution: the line diff, the note record, the rule per interval, which paths a Bash
// command names, the bounded tool-tier map, and the edit recorder naming the tier that wrote a call.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keptLines } from '../../proxy/attribution/line-diff.ts';
import { contentHash, contributorAt, parseNote, rangesOf, splitLines, type Contributor } from '../../proxy/attribution/note-format.ts';
import { intervalLabel } from '../../proxy/attribution/compute.ts';
import { answerBefore, namesPath } from '../../proxy/attribution/snapshots.ts';
import { createToolTiers } from '../../proxy/attribution/tool-tiers.ts';
import { modelIdOf } from '../../proxy/attribution/model-id.ts';
import { writtenText } from '../../proxy/attribution/tool-calls.ts';
import { createEditRecorder } from '../../proxy/git/edits.ts';
import { createLedgerWriter, readLedger, type SnapshotEvent } from '../../proxy/git/ledger.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import { makeRepo } from '../../test-support/repo.ts';

const ai = (tier: string): Contributor => ({ type: 'ai', tier });

describe('keptLines', () => {
  it('maps each kept line to its line in the old version and added lines to -1', () => {
    expect(Array.from(keptLines(['a', 'b', 'c'], ['x', 'a', 'b', 'y', 'c']))).toEqual([-1, 0, 1, -1, 2]);
    expect(Array.from(keptLines([], ['a']))).toEqual([-1]);
    expect(Array.from(keptLines(['a', 'b'], []))).toEqual([]);
  });
  it('keeps only equal lines, in order, on a shortest edit script', () => {
    const a = ['a', 'b', 'c', 'a', 'b', 'b', 'a'];
    const b = ['c', 'b', 'a', 'b', 'a', 'c'];
    const map = Array.from(keptLines(a, b));
    const kept = map.filter((i) => i >= 0);
    expect(kept).toEqual([...kept].sort((x, y) => x - y));
    map.forEach((i, j) => i >= 0 && expect(a[i]).toBe(b[j]));
    expect(kept.length).toBe(4); // the longest common subsequence of Myers' example
  });
  it('treats versions more than maxD edits apart as unrelated but for their common head and tail', () => {
    const a = ['h', ...Array.from({ length: 50 }, (_, i) => `a${i}`), 't'];
    const b = ['h', ...Array.from({ length: 50 }, (_, i) => `b${i}`), 't'];
    expect(Array.from(keptLines(a, b, 10)).filter((i) => i >= 0)).toEqual([0, 51]);
  });
});

describe('the note record', () => {
  it('groups consecutive lines of one contributor into ranges with the hash of their lines', () => {
    const lines = ['l1', 'l2', 'l3', 'l4', 'l5'];
    const ranges = rangesOf(
      lines,
      new Map([
        [1, ai('claude')],
        [2, ai('claude')],
        [3, { type: 'human' }],
        [5, ai('claude')],
      ]),
    );
    expect(ranges.map((r) => [r.start_line, r.end_line, r.contributor.type])).toEqual([
      [1, 2, 'ai'],
      [3, 3, 'human'],
      [5, 5, 'ai'],
    ]);
    expect(ranges[0].content_hash).toBe('sha256:' + createHash('sha256').update('l1\nl2').digest('hex'));
    expect(contentHash(['l3'])).toBe(ranges[1].content_hash);
  });
  it('reads its own format, ignores unknown keys, and treats another version or bad JSON as absent', () => {
    const text = JSON.stringify({
      version: 'claude-fallback/1',
      commit: 'abc',
      extra: 1,
      files: [
        { path: 'a', ranges: [{ start_line: 2, end_line: 3, contributor: { type: 'mixed', tier: 'g', x: 1 }, content_hash: 'sha256:0' }] },
      ],
    });
    const note = parseNote(text);
    expect(contributorAt(note, 'a', 3)).toEqual({ type: 'mixed', tier: 'g' });
    expect(contributorAt(note, 'a', 1)).toEqual({ type: 'human' });
    expect(parseNote(text.replace('claude-fallback/1', 'claude-fallback/2'))).toBeNull();
    expect(parseNote('{"version":')).toBeNull();
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\r\nb')).toEqual(['a\r', 'b']);
  });
});

describe('the rule per interval', () => {
  const snap = (answer: SnapshotEvent['answer'], bash_named?: string[]): SnapshotEvent => ({
    ts: '2026-01-01T00:00:00.000Z',
    kind: 'snapshot',
    session: null,
    head: null,
    tree: '0'.repeat(40),
    answer,
    ...(bash_named ? { bash_named } : {}),
  });
  it('no tools → the person; a file tool named the file → ai; Bash naming it → ai; Bash not naming it → mixed; others → the person', () => {
    expect(intervalLabel(snap(null), 'a.ts')).toEqual({ type: 'human' });
    expect(intervalLabel(snap({ tier: 'g', tools: [] }), 'a.ts')).toEqual({ type: 'human' });
    const write = snap({ tier: 'g', model_id: 'google/m', tools: [{ name: 'Write', path: 'a.ts' }] });
    expect(intervalLabel(write, 'a.ts')).toEqual({ type: 'ai', tier: 'g', model_id: 'google/m' });
    expect(intervalLabel(write, 'b.ts')).toEqual({ type: 'human' });
    const bash = snap({ tier: 'd', tools: [{ name: 'Bash', command_sha256: 'x' }] }, ['a.ts']);
    expect(intervalLabel(bash, 'a.ts')).toEqual({ type: 'ai', tier: 'd' });
    expect(intervalLabel(bash, 'b.ts')).toEqual({ type: 'mixed', tier: 'd' });
  });
  it('finds a file in a Bash command by its path, its absolute path or its name as a word', () => {
    expect(namesPath("sed -i 's/a/b/' src/app.ts", 'src/app.ts', '/r')).toBe(true);
    expect(namesPath('cat > /r/src/app.ts', 'src/app.ts', '/r')).toBe(true);
    expect(namesPath('cd src && sed -i s/a/b/ app.ts', 'src/app.ts', '/r')).toBe(true);
    expect(namesPath('sed -i s/a/b/ myapp.ts', 'src/app.ts', '/r')).toBe(false);
    expect(namesPath('npm run build', 'src/app.ts', '/r')).toBe(false);
  });
  it("takes as the answer only the calls whose results just came back, past Claude Code's trailing system message", () => {
    const tiers = createToolTiers();
    tiers.note('toolu_sed', { tier: 'deepseek', model_id: 'deepseek/m' });
    const body = {
      model: 'm',
      max_tokens: 1,
      messages: [
        { role: 'user', content: 'go' },
        // Two answers Claude Code merged into one message (one message id): the Write's result came back earlier.
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_w', name: 'Write', input: { file_path: '/r/a.ts', content: 'x' } },
            { type: 'tool_use', id: 'toolu_sed', name: 'Bash', input: { command: "sed -i 's/a/b/' a.ts" } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_sed', content: '' }] },
        { role: 'system', content: '<system-reminder>a.ts was modified</system-reminder>' },
      ],
    } as unknown as MessagesRequest;
    const { answer, commands } = answerBefore(body, '/r', tiers, () => ({ tier: 'claude' }));
    expect(answer).toEqual({
      tier: 'deepseek',
      model_id: 'deepseek/m',
      tools: [{ name: 'Bash', command_sha256: createHash('sha256').update("sed -i 's/a/b/' a.ts").digest('hex') }],
    });
    expect(commands).toEqual(["sed -i 's/a/b/' a.ts"]);
    expect(
      answerBefore({ ...body, messages: [{ role: 'user', content: 'go' }] } as MessagesRequest, '/r', tiers, () => ({ tier: 'claude' }))
        .answer,
    ).toBeNull();
  });
  it("takes the lines a file tool call writes from each tool's input", () => {
    expect(writtenText('Write', { content: 'a\nb' })).toBe('a\nb');
    expect(writtenText('Edit', { old_string: 'x', new_string: 'y' })).toBe('y');
    expect(writtenText('MultiEdit', { edits: [{ new_string: 'p' }, { new_string: 'q' }] })).toBe('p\nq');
    expect(writtenText('Bash', { command: 'x' })).toBe('');
  });
});

describe('which tier wrote a tool call', () => {
  it('keeps the newest ids up to its limit', () => {
    const t = createToolTiers(2);
    t.note('a', { tier: 'x' });
    t.note('b', { tier: 'y' });
    t.note('c', { tier: 'z' });
    expect([t.get('a'), t.get('b')?.tier, t.get('c')?.tier, t.size]).toEqual([undefined, 'y', 'z', 2]);
  });
  it('names the provider from the vendor, the host, or the protocol', () => {
    const base = { name: 't', protocol: 'openai' as const, baseUrl: 'https://api.deepseek.com/v1' };
    expect(modelIdOf(base, 'deepseek-v4-flash')).toBe('deepseek/deepseek-v4-flash');
    expect(modelIdOf({ ...base, baseUrl: 'http://127.0.0.1:1', protocol: 'gemini' }, 'gemini-2.5-flash')).toBe('google/gemini-2.5-flash');
    expect(modelIdOf({ ...base, vendor: 'openrouter' }, 'm')).toBe('openrouter/m');
  });
  it('the edit recorder names the tier that wrote the call, not the one active when its result comes back', async () => {
    const repo = await makeRepo();
    const ledger = createLedgerWriter(join(repo, '.git', 'model-ledger'));
    const toolTiers = createToolTiers();
    toolTiers.note('toolu_1', { tier: 'deepseek' });
    const recorder = createEditRecorder({ repo, ledger, log: () => {}, toolTiers });
    const body = {
      model: 'm',
      max_tokens: 1,
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: join(repo, 'a.ts'), content: 'x' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ],
    } as MessagesRequest;
    recorder.record(body, 'claude'); // claude is active again by the time the result comes back
    await recorder.settled();
    await ledger.close();
    expect(readLedger(ledger.path).flatMap((e) => (e.kind === 'edit' ? [e.tier] : []))).toEqual(['deepseek']);
  });
});

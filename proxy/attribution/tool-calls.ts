// The file tool calls of each answer as the model wrote them (ledger `tool_call` lines): the path and a short hash
// of each non-empty line the call writes. Claude Code may write a file and commit it in the same answer, before the
// next request takes a snapshot; the commit's note finds those lines by these hashes (docs/git.md). Off the
// request path: the engine hands the call over, the work comes after.

import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { git } from '../git/git.ts';
import { FILE_TOOLS, readHead } from '../git/edits.ts';
import type { LedgerWriter } from '../git/ledger.ts';
import type { ToolWriter } from './tool-tiers.ts';

/** The most line hashes kept for one call (a bigger Write is matched on its first lines only). */
export const MAX_LINE_HASHES = 2000;

export type ToolCall = { id: string; name: string; input: unknown; writer: ToolWriter };

/** The 16-hex-digit hash a `tool_call` line keeps for one line. */
export function lineHash(line: string): string {
  return createHash('sha256').update(line).digest('hex').slice(0, 16);
}

/** The text a file tool call writes: Write's content, Edit's new_string, MultiEdit's edits, NotebookEdit's new_source. */
export function writtenText(name: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (name === 'Write') return str(i.content);
  if (name === 'Edit') return str(i.new_string);
  if (name === 'NotebookEdit') return str(i.new_source);
  if (name === 'MultiEdit' && Array.isArray(i.edits)) return i.edits.map((e: { new_string?: unknown }) => str(e?.new_string)).join('\n');
  return '';
}

export function createToolCallRecorder(opts: { repo: string; ledger: LedgerWriter; log: (line: string) => void }) {
  const repo = resolve(opts.repo);
  let dirs: Promise<{ gitDir: string; commonDir: string }> | undefined;
  let queue: Promise<void> = Promise.resolve();
  async function recordNow(call: ToolCall): Promise<void> {
    const field = FILE_TOOLS[call.name];
    const target = ((call.input ?? {}) as Record<string, unknown>)[field];
    if (typeof target !== 'string' || target === '') return;
    const rel = relative(repo, isAbsolute(target) ? target : resolve(repo, target));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return;
    const lines = writtenText(call.name, call.input)
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (lines.length === 0) return;
    dirs ??= git(repo, ['rev-parse', '--git-dir', '--git-common-dir']).then((r) => {
      const [gitDir, commonDir] = r.stdout.split('\n').map((p) => resolve(repo, p));
      return { gitDir, commonDir };
    });
    const d = await dirs;
    const head = await readHead(repo, d.gitDir, d.commonDir);
    const line_hashes = [...new Set(lines.slice(0, MAX_LINE_HASHES).map(lineHash))];
    await opts.ledger.append({
      kind: 'tool_call',
      tier: call.writer.tier,
      ...(call.writer.model_id ? { model_id: call.writer.model_id } : {}),
      id: call.id,
      tool: call.name,
      path: rel.split(sep).join('/'),
      head,
      line_hashes,
    });
  }
  return {
    record(call: ToolCall): void {
      if (!Object.hasOwn(FILE_TOOLS, call.name)) return;
      queue = queue
        .then(() => new Promise<void>((r) => setImmediate(r)))
        .then(() => recordNow(call))
        .catch((err: Error) => opts.log(`warning: recording a tool call failed: ${err.message}`));
    },
    settled: () => queue,
  };
}

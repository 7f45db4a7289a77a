// The attribution notes as Agent Trace v0.1 records (cursor/agent-trace, schemas.ts: TraceRecordSchema; CC BY 4.0):
// one record per commit that has a note. `version` "0.1" (the schema's pattern is MAJOR.MINOR); `id` a UUID derived
// from the commit (the same commit always exports the same id); `timestamp` the commit's committer date (RFC 3339);
// `vcs` {type: git, revision}; `tool` {name, version}; per file, one conversation per contributor, whose ranges
// each carry the contributor too (the schema's per-range override, which says who without the conversation).
// The tier, which Agent Trace has no field for, goes into `metadata`.

import { createHash } from 'node:crypto';
import type { Contributor, Note } from '../attribution/note-format.ts';
import { NOTES_REF } from '../attribution/note-format.ts';

export const AGENT_TRACE_VERSION = '0.1';

type TraceContributor = { type: 'ai' | 'human' | 'mixed'; model_id?: string };
type TraceRange = { start_line: number; end_line: number; content_hash?: string; contributor: TraceContributor };
export type TraceRecord = {
  version: string;
  id: string;
  timestamp: string;
  vcs: { type: 'git'; revision: string };
  tool: { name: string; version: string };
  files: { path: string; conversations: { contributor: TraceContributor; ranges: TraceRange[] }[] }[];
  metadata: { claude_fallback: { notes_ref: string; note_version: string; tiers: Record<string, string> } };
};

/** A UUID (RFC 9562 version 8, vendor-defined) from SHA-256 of the commit: stable across exports. */
export function recordId(commit: string): string {
  const b = createHash('sha256').update(`claude-fallback agent-trace ${commit}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const traceContributor = (c: Contributor): TraceContributor =>
  c.type === 'human' ? { type: 'human' } : { type: c.type, ...(c.model_id ? { model_id: c.model_id } : {}) };

export function toAgentTrace(commit: string, committedAt: string, note: Note, tool: { name: string; version: string }): TraceRecord {
  const tiers: Record<string, string> = {};
  const files = note.files
    .filter((f) => f.ranges.length > 0)
    .map((f) => {
      const conversations = new Map<string, { contributor: TraceContributor; ranges: TraceRange[] }>();
      for (const r of f.ranges) {
        const contributor = traceContributor(r.contributor);
        if (r.contributor.type !== 'human' && r.contributor.tier) tiers[r.contributor.model_id ?? r.contributor.tier] = r.contributor.tier;
        const key = JSON.stringify(contributor);
        const conv = conversations.get(key) ?? conversations.set(key, { contributor, ranges: [] }).get(key)!;
        conv.ranges.push({
          start_line: r.start_line,
          end_line: r.end_line,
          ...(r.content_hash ? { content_hash: r.content_hash } : {}),
          contributor,
        });
      }
      return { path: f.path, conversations: [...conversations.values()] };
    });
  return {
    version: AGENT_TRACE_VERSION,
    id: recordId(commit),
    timestamp: new Date(committedAt).toISOString(),
    vcs: { type: 'git', revision: commit },
    tool,
    files,
    metadata: { claude_fallback: { notes_ref: NOTES_REF, note_version: note.version, tiers } },
  };
}

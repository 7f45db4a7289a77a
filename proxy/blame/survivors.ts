// `review --lines`: what each model wrote that lasted, the lines of HEAD's files by who wrote them. Bounded: only
// the files some note names with a model's range are blamed (one `git blame` each, two at a time); every other
// line of the repository is the person's by the format's rule and is not counted.

import { git } from '../git/git.ts';
import { blameFile } from './blame.ts';
import { contributorLabel, contributorModel, type Contributor } from '../attribution/note-format.ts';
import { listNotes } from '../attribution/git-objects.ts';
import { readNotes } from '../attribution/read.ts';

export type LinesRow = { who: string; model: string | null; type: Contributor['type']; lines: number; files: number };
export type LinesReport = {
  /** Files blamed: those at HEAD that a note names with a model's lines. */
  files: number;
  /** Commits with a note. */
  notes: number;
  rows: LinesRow[];
  total: number;
};

const PARALLEL = 2;

export async function linesAtHead(repo: string, tierOrder: readonly string[] = []): Promise<LinesReport> {
  const listed = await listNotes(repo);
  const notes = await readNotes(repo, listed.keys(), { listed });
  const paths = new Set<string>();
  for (const n of notes.values()) for (const f of n.files) if (f.ranges.some((r) => r.contributor.type !== 'human')) paths.add(f.path);
  let atHead: string[] = [];
  if (paths.size > 0) {
    const r = await git(repo, ['ls-tree', '-r', '-z', '--name-only', 'HEAD'], { reject: false });
    atHead = r.exitCode === 0 ? r.stdout.split('\0').filter((p) => paths.has(p)) : [];
  }
  const rows = new Map<string, LinesRow & { fileSet: Set<string> }>();
  let next = 0;
  const worker = async () => {
    while (next < atHead.length) {
      const path = atHead[next++];
      for (const l of await blameFile(repo, path, { rev: 'HEAD', notes })) {
        if (l.contributor.type === 'uncommitted') continue;
        const who = contributorLabel(l.contributor);
        const row =
          rows.get(who) ??
          rows
            .set(who, { who, model: contributorModel(l.contributor), type: l.contributor.type, lines: 0, files: 0, fileSet: new Set() })
            .get(who)!;
        row.lines += 1;
        row.fileSet.add(path);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const rank = (r: LinesRow) =>
    r.model === null ? [2, ''] : tierOrder.includes(r.model) ? [0, String(tierOrder.indexOf(r.model)).padStart(6, '0')] : [1, r.model];
  const out = [...rows.values()]
    .map(({ fileSet, ...r }) => ({ ...r, files: fileSet.size }))
    .sort((a, b) => {
      const [ra, ka] = rank(a) as [number, string];
      const [rb, kb] = rank(b) as [number, string];
      return ra - rb || (ka < kb ? -1 : ka > kb ? 1 : a.who < b.who ? -1 : 1);
    });
  return { files: atHead.length, notes: notes.size, rows: out, total: out.reduce((s, r) => s + r.lines, 0) };
}

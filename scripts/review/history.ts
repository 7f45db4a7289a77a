// The one `git log` pass the review needs: every commit with its parents, date, trailers and numstat.

import { git } from '../../proxy/git.ts';

export type Trailer = { key: string; value: string };

export type Commit = {
  sha: string;
  parents: string[];
  /** Committer date, ISO 8601 as git prints it. */
  date: string;
  /** Committer date in ms since the epoch (what `--since`/`--until` compare). */
  time: number;
  subject: string;
  /** The first `Model:` trailer's value, or null. */
  model: string | null;
  trailers: Trailer[];
  files: string[];
  added: number;
  removed: number;
};

const RS = '\x1e';
const US = '\x1f';
const FORMAT = `${RS}%H%x00%P%x00%cI%x00%s%x00%(trailers:only,unfold,separator=%x1f)%x00`;

/** The exact `git log` arguments of the pass, so a benchmark can time the bare command. */
export function historyArgs(tagPrefix: string): string[] {
  // Tags are walked too, so a run tag on another branch still says what it reaches.
  const tags = [tagPrefix, 'accepted-', 'rolledback-'].map((p) => `--tags=${p}*`);
  return ['log', '-z', '--topo-order', '--no-renames', '--numstat', `--format=${FORMAT}`, 'HEAD', ...tags, '--'];
}

/** Reads the whole history reachable from HEAD and the review tags (HEAD must exist). */
export async function readHistory(repo: string, tagPrefix: string): Promise<Commit[]> {
  const r = await git(repo, historyArgs(tagPrefix));
  return parseHistory(r.stdout);
}

const NUMSTAT = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/;

/** Parses the output of `historyArgs`: records split on RS, fields and numstat entries on NUL. */
export function parseHistory(text: string): Commit[] {
  const out: Commit[] = [];
  for (const record of text.split(RS)) {
    if (record === '') continue;
    const fields = record.split('\0');
    if (fields.length < 5) continue;
    const [sha, parents, date, subject, trailerText] = fields;
    const trailers = parseTrailers(trailerText);
    const commit: Commit = {
      sha,
      parents: parents === '' ? [] : parents.split(' '),
      date,
      time: Date.parse(date),
      subject,
      model: trailerValue(trailers, 'Model') || null,
      trailers,
      files: [],
      added: 0,
      removed: 0,
    };
    for (let i = 5; i < fields.length; i++) {
      const m = NUMSTAT.exec(fields[i].replace(/^\n/, ''));
      if (!m) continue;
      commit.files.push(m[3]);
      // Binary files show `-`: they count as touched, with no lines.
      if (m[1] !== '-') commit.added += Number(m[1]);
      if (m[2] !== '-') commit.removed += Number(m[2]);
    }
    out.push(commit);
  }
  return out;
}

function parseTrailers(text: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of text.split(US)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out.push({ key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
  }
  return out;
}

/** Trailer keys compare case-insensitively, as git's `key=` option does. */
export function trailerValues(trailers: readonly Trailer[], key: string): string[] {
  const k = key.toLowerCase();
  return trailers.filter((t) => t.key.toLowerCase() === k).map((t) => t.value);
}

export function trailerValue(trailers: readonly Trailer[], key: string): string | undefined {
  return trailerValues(trailers, key)[0];
}

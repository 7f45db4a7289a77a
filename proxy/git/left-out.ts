// What the auto-commit at a switch leaves in the working tree instead of committing it: files whose names say they
// hold secrets, files over a size (docs/git.md, "What the auto-commit leaves out"), and the person's own files.

import { lstatSync } from 'node:fs';
import { join } from 'node:path';

/** `git.auto_commit_max_file_size` when the config does not set it. */
export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

/**
 * File names (the last path component, any case) that usually hold credentials: dotenv files and their variants,
 * private keys and key stores, ssh keys, and the credential files of git, curl/ftp, npm, PyPI and AWS/Google tools.
 * `*` matches any run of characters. The list is deliberately wide: leaving a file out loses nothing (it stays in
 * the working tree, named in the commit message), while committing a key puts it into history.
 */
export const SECRET_NAMES = [
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.netrc',
  '_netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  'credentials',
  'credentials.json',
] as const;

const SECRET = new RegExp(`^(?:${SECRET_NAMES.map((g) => g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`, 'is'); // s: a name may hold a newline

export type LeftOut = { path: string; why: 'secret' } | { path: string; why: 'size'; size: number };

export function isSecretName(path: string): boolean {
  return SECRET.test(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * Of `paths` (relative to the work tree's top level `top`, as `git ls-files` prints them), those the auto-commit
 * must not take from the working tree. A path that no longer exists is a deletion, which leaks nothing: kept.
 */
export function leftOutOf(top: string, paths: Iterable<string>, maxFileSize: number): LeftOut[] {
  const out: LeftOut[] = [];
  for (const path of new Set(paths)) {
    let st;
    try {
      st = lstatSync(join(top, path));
    } catch {
      continue;
    }
    if (isSecretName(path)) out.push({ path, why: 'secret' });
    else if (st.isFile() && st.size > maxFileSize) out.push({ path, why: 'size', size: st.size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** At most this many names are listed; the rest are counted. */
const MAX_NAMED = 50;

/** Lines for the commit message, one per file: `- <path> (<why>)`. */
export function describeLeftOut(list: LeftOut[], maxFileSize: number): string {
  const lines = list
    .slice(0, MAX_NAMED)
    .map(
      (l) =>
        `- ${printablePath(l.path)} (${l.why === 'secret' ? 'a secret by its name' : `${humanSize(l.size)}, over the ${humanSize(maxFileSize)} limit`})`,
    );
  if (list.length > MAX_NAMED) lines.push(`- and ${list.length - MAX_NAMED} more`);
  return `Left out, still in the working tree:\n${lines.join('\n')}`;
}

/**
 * Lines for the commit message naming the files no model wrote (the person's, docs/git.md "The person's work stays
 * out"), one per file: `- <path>`.
 */
export function describePersons(paths: readonly string[]): string {
  const lines = paths.slice(0, MAX_NAMED).map((p) => `- ${printablePath(p)}`);
  if (paths.length > MAX_NAMED) lines.push(`- and ${paths.length - MAX_NAMED} more`);
  return `${PERSONS_HEADING}\n${lines.join('\n')}`;
}

/** The heading of that paragraph: review's rollback reads the files listed under it as the person's. */
export const PERSONS_HEADING = "The person's, not committed (no model wrote them), still in the working tree:";

/** One line for the log: how many, and the first few names. */
export function summarizeLeftOut(list: LeftOut[]): string {
  return summarizePaths(list.map((l) => l.path));
}

export function summarizePaths(paths: readonly string[]): string {
  const names = paths.slice(0, 5).map(printablePath);
  return `${paths.length} file${paths.length === 1 ? '' : 's'} (${names.join(', ')}${paths.length > 5 ? ', …' : ''})`;
}

// C0 and C1 controls, DEL, quote and backslash, and the bidirectional overrides that can make a name read as another.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f"\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A file name as it may appear in a commit message or on a terminal: a name with a control character (a newline
 * could forge a trailer line, an escape sequence could drive the terminal) is written quoted, with `\uXXXX` escapes.
 */
export function printablePath(path: string): string {
  if (!path.match(UNSAFE)) return path;
  return `"${path.replace(UNSAFE, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
}

function humanSize(bytes: number): string {
  const [v, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'MB'] : bytes >= 1024 ? [bytes / 1024, 'KB'] : [bytes, 'bytes'];
  return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${unit}`;
}

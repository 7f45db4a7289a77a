// Run tag names, `<prefix><tier>-<YYYYMMDD-HHMMSS-mmm>` (UTC, the run's start to the millisecond, so two
// runs never share a name), and their `accepted-`/`rolledback-` renames: built and read here for the proxy
// and review; hooks/active-run.sh builds the same name in shell from the ledger line's `ts` (docs/git.md).

export type TagState = 'run' | 'accepted' | 'rolledback';

/** `YYYYMMDD-HHMMSS-mmm` in UTC for a time (ms since the epoch). */
export function stampOf(time: number): string {
  const iso = new Date(time).toISOString(); // 2026-11-25T10:00:00.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}-${iso.slice(20, 23)}`;
}

export function runTagName(prefix: string, tier: string, isoTs: string): string {
  const t = Date.parse(isoTs);
  if (Number.isNaN(t)) throw new Error(`runTagName: "${isoTs}" is not an ISO timestamp`);
  return `${prefix}${tier}-${stampOf(t)}`;
}

/** `accepted-<tier>-<stamp>` for state `accepted`, `<prefix><tier>-<stamp>` for a run, and so on. */
export function tagName(state: TagState, prefix: string, tier: string, stamp: string): string {
  const head = state === 'run' ? prefix : `${state}-`;
  return `${head}${tier}-${stamp}`;
}

/**
 * Why `text` cannot be the start or middle of a tag name (`refs/tags/<prefix><tier>-<stamp>`), or null.
 * git's rules (git-check-ref-format(1), https://git-scm.com/docs/git-check-ref-format) restricted to the
 * characters config allows (letters, digits, ".", "_", "-"): no "..", and a name part never starts with ".".
 */
export function refPartProblem(text: string, opts: { start: boolean }): string | null {
  if (text.includes('..')) return 'may not contain ".." (git refuses it in a tag name)';
  if (opts.start && text.startsWith('.')) return 'may not start with "." (git refuses it in a tag name)';
  return null;
}

// Tier names hold "-" and digits, so the stamp is matched from the end; tags made before the stamp had
// milliseconds (`…-HHMMSS`) still read. `.N` is the suffix a rename adds to avoid a clash.
const STAMP = /^(.+)-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-(\d{3}))?(\.\d+)?$/;

/** Reads a tag name as one of ours, or null. `accepted-`/`rolledback-` win over a prefix they also match. */
export function parseRunTag(
  name: string,
  prefix: string,
): { name: string; state: TagState; tier: string; stamp: string; time: number } | null {
  let state: TagState;
  let rest: string;
  if (name.startsWith('accepted-')) [state, rest] = ['accepted', name.slice('accepted-'.length)];
  else if (name.startsWith('rolledback-')) [state, rest] = ['rolledback', name.slice('rolledback-'.length)];
  else if (name.startsWith(prefix)) [state, rest] = ['run', name.slice(prefix.length)];
  else return null;
  const m = STAMP.exec(rest);
  if (!m) return null;
  const [, tier, y, mo, d, h, mi, s, ms, suffix] = m;
  const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms ?? 0));
  if (Number.isNaN(time)) return null;
  return { name, state, tier, stamp: `${y}${mo}${d}-${h}${mi}${s}${ms === undefined ? '' : `-${ms}`}${suffix ?? ''}`, time };
}

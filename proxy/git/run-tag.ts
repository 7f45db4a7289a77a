// Run tag names, `<prefix><tier>-<YYYYMMDD-HHMMSS>` (UTC, the run's start), and their `accepted-`/
// `rolledback-` renames: built and read here for the proxy and review; hooks/active-run.sh builds the
// same name in shell from the ledger line's `ts`.

export type TagState = 'run' | 'accepted' | 'rolledback';

/** `YYYYMMDD-HHMMSS` in UTC for a time (ms since the epoch). */
export function stampOf(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
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

const STAMP = /^(.+)-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(\.\d+)?$/;

/** Reads a tag name as one of ours, or null. `accepted-`/`rolledback-` win over a prefix they also match. */
export function parseRunTag(name: string, prefix: string): { name: string; state: TagState; tier: string; stamp: string; time: number } | null {
  let state: TagState;
  let rest: string;
  if (name.startsWith('accepted-')) [state, rest] = ['accepted', name.slice('accepted-'.length)];
  else if (name.startsWith('rolledback-')) [state, rest] = ['rolledback', name.slice('rolledback-'.length)];
  else if (name.startsWith(prefix)) [state, rest] = ['run', name.slice(prefix.length)];
  else return null;
  const m = STAMP.exec(rest);
  if (!m) return null;
  const [, tier, y, mo, d, h, mi, s, suffix] = m;
  const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(time)) return null;
  return { name, state, tier, stamp: `${y}${mo}${d}-${h}${mi}${s}${suffix ?? ''}`, time };
}

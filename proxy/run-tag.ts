// The name of a model run's git tag, `<prefix><tier>-<YYYYMMDD-HHMMSS>` (UTC, the run's start); hooks/active-run.sh
// builds the same name in shell from the ledger line's `ts`.

export function runTagName(prefix: string, tier: string, isoTs: string): string {
  const t = new Date(isoTs);
  if (Number.isNaN(t.getTime())) throw new Error(`runTagName: "${isoTs}" is not an ISO timestamp`);
  const iso = t.toISOString(); // 2026-11-25T23:56:05.123Z
  return `${prefix}${tier}-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

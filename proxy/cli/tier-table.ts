// The tiers as the proxy starts with them: active, ready, or skipped and why (one row each).

import type { Config } from '../config.ts';
import { safeUrl } from '../engine/failure-log.ts';
import { renderTable } from '../text-table.ts';

const paint = (on: boolean, code: number, s: string) => (on ? `\x1b[${code}m${s}\x1b[39m` : s);

export function tierTable(config: Pick<Config, 'tiers' | 'skipped'>, active: number, colour: boolean): string {
  const rows: { state: string; paint: number; cells: string[] }[] = config.tiers.map((t, i) => ({
    state: i === active ? 'active' : 'ready',
    paint: i === active ? 32 : 0,
    // No user:password@ or ?key= on the terminal or in the log; no '/' the config did not write either.
    cells: [t.name, t.protocol, t.model ?? '(client model)', safeUrl(t.baseUrl).replace(/\/$/, '')],
  }));
  for (const s of config.skipped) rows.push({ state: 'skipped', paint: 33, cells: [s.name, '', s.reason, ''] });
  return renderTable(rows.map((r) => [paint(colour && r.paint > 0, r.paint, r.state), ...r.cells]));
}

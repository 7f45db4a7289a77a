// With `git.assisted_by: true`, the proxy keeps `<git common dir>/fallback-models` for prepare-commit-msg: one line
// `<tier> <model id>` per tier, the model id of that tier's latest answer (proxy/attribution/model-id.ts). The hook stamps
// `Assisted-by: claude-code:<model id>` beside each `Model: <tier>` from it with one `read` loop and no process
// (docs/git.md, "Assisted-by trailers"); without the file it adds none. Claude Code sends its small background
// requests (titles, command checks) to its small fast model, the haiku family; those write no code, so a haiku model
// does not replace another model a tier answered with. Switched off, the file is removed when the proxy starts.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { RunEvents } from '../run/events.ts';
import { modelIdOf } from '../attribution/model-id.ts';

export const MODELS_FILE = 'fallback-models';
/** What a trailer value may hold: no space, newline or control character can reach a commit message. */
const SAFE = /^[A-Za-z0-9._:/@+-]{1,200}$/;
const small = (id: string) => /haiku/i.test(id);

export function parseModelsFile(text: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [tier, id, ...rest] = line.split(' ');
    if (tier && id && rest.length === 0 && SAFE.test(tier) && SAFE.test(id)) ids.set(tier, id);
  }
  return ids;
}

export function keepModelIds(opts: { config: Config; commonDir: string; events: RunEvents; log: (line: string) => void }): void {
  const file = join(opts.commonDir, MODELS_FILE);
  if (!opts.config.git.assistedBy) {
    rmSync(file, { force: true });
    return;
  }
  let ids: Map<string, string>;
  try {
    ids = parseModelsFile(readFileSync(file, 'utf8'));
  } catch {
    ids = new Map();
  }
  opts.events.on((e) => {
    if (e.type !== 'usage') return;
    const tier = opts.config.tiers.find((t) => t.name === e.line.tier);
    const id = tier ? modelIdOf(tier, e.line.model) : null;
    if (!id || !SAFE.test(id) || !SAFE.test(e.line.tier)) return;
    const had = ids.get(e.line.tier);
    if (had === id || (had && small(id) && !small(had))) return;
    ids.set(e.line.tier, id);
    try {
      // Written whole and renamed: a hook never reads half a file.
      writeFileSync(`${file}.tmp`, [...ids].map(([t, m]) => `${t} ${m}\n`).join(''));
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      opts.log(`warning: could not write ${file}: ${(err as Error).message}`);
    }
  });
}

// The note writer the hooks start in the background (docs/git.md, "Line attribution notes"):
//   attribution-note drain           writes every note the hooks left as work in <git common dir>/fallback-notes/
//   attribution-note commit <rev>…   adds those commits as work (a squash merge fetched from a forge), then drains
// Started through scripts/attribution-note.mjs (plain node: dist/ or tsx), in the repository's work tree; errors
// go to stderr (the hooks send it to <git common dir>/fallback-notes/log).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drain } from '../proxy/attribution/drain.ts';
import { pendingMarker, repoDirs } from '../proxy/attribution/note-writer.ts';
import { git } from '../proxy/git/git.ts';

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  if (argv[0] === 'drain' && argv.length === 1) return (await drain(cwd)) > 0 ? 1 : 0;
  if (argv[0] === 'commit' && argv.length > 1) {
    const { commonDir } = await repoDirs(cwd);
    for (const rev of argv.slice(1)) {
      const r = await git(cwd, ['rev-parse', '--verify', '-q', `${rev}^{commit}`], { reject: false });
      if (r.exitCode !== 0) {
        process.stderr.write(`attribution-note: ${rev}: not a commit\n`);
        return 2;
      }
      const marker = pendingMarker(commonDir, r.stdout.trim());
      mkdirSync(join(marker, '..'), { recursive: true });
      writeFileSync(marker, '\n');
    }
    return (await drain(cwd)) > 0 ? 1 : 0;
  }
  process.stderr.write('usage: attribution-note drain | commit <rev>...\n');
  return 2;
}

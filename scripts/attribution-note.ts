// The note writer the hooks start in the background (docs/git.md, "Line attribution notes"):
//   attribution-note drain     writes every note the hooks left as work in <git common dir>/fallback-notes/
// Started through scripts/attribution-note.mjs (plain node: dist/ or tsx), in the repository's work tree; errors
// go to stderr (the hooks send it to <git common dir>/fallback-notes/log).

import { drain } from '../proxy/attribution/drain.ts';

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  if (argv[0] === 'drain' && argv.length === 1) return (await drain(cwd)) > 0 ? 1 : 0;
  process.stderr.write('usage: attribution-note drain\n');
  return 2;
}

#!/usr/bin/env node
// What the git hooks start, detached, to write a commit's attribution note: runs scripts/attribution-note.ts through
// the package's runtime (dist/ or tsx, scripts/cli/dist.mjs). Usage: see scripts/attribution-note.ts.

import { importEntry, runtime } from './cli/dist.mjs';

try {
  const { main } = await importEntry(await runtime(), 'attribution');
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`attribution-note: ${err.message}\n`);
  process.exitCode = 1;
}

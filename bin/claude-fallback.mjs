#!/usr/bin/env node
// `claude-fallback`: the fallback proxy for the git repository you are in, and its tools (`claude-fallback -h`).
// `statusline` takes a path of its own: Claude Code runs it after every message, so it loads no TypeScript at all.

import { nodeTooOld } from '../proxy/node-version.mjs';

const argv = process.argv.slice(2);
const tooOld = argv[0] === 'statusline' ? null : nodeTooOld();
if (tooOld) {
  process.stderr.write(`error: ${tooOld}\n`);
  process.exitCode = 1;
} else if (argv[0] === 'statusline') {
  const { main } = await import('../scripts/cli/statusline.mjs');
  process.exitCode = await main(argv.slice(1));
} else {
  const { runtime, importEntry } = await import('../scripts/cli/dist.mjs');
  const rt = await runtime();
  const { main } = await importEntry(rt, 'cli');
  const code = await main(argv, rt);
  if (code !== null) process.exitCode = code;
}

#!/usr/bin/env zx
// Starts the fallback proxy for a repository: loads the config, installs the git hooks, listens, prints
// `export ANTHROPIC_BASE_URL=…`, the dashboard's address and the tiers; with `-- command…` runs that command against
// it and stops when it exits. A thin shim over the CLI's start (proxy/cli/start.ts, mode 'script'): the same
// options, the same parsing and checks, the same proxy process, run file and hooks watcher as `claude-fallback start`.
// Usage: npx zx scripts/start.mjs [--repo DIR] [--config FILE] [--port N] [--verbose] [--no-hooks] [-- command…]

import { mainArgs } from '../proxy/main-module.mjs';
import { nodeTooOld } from '../proxy/node-version.mjs';

export async function main(argv) {
  // Checked before any TypeScript loads: a clear line instead of a stack trace on an old Node.
  const tooOld = nodeTooOld();
  if (tooOld) {
    console.error(`error: ${tooOld}`);
    return 1;
  }
  const { runtime, importEntry } = await import('./cli/dist.mjs');
  const rt = await runtime();
  const cli = await importEntry(rt, 'cli');
  return cli.main(['start', ...argv], rt, { startMode: 'script' });
}

const args = mainArgs(import.meta.url);
if (args) {
  main(args).then((code) => {
    if (code !== null) process.exit(code);
  });
}

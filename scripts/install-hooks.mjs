#!/usr/bin/env zx
// Entry point that installs (or removes) the git hooks in a repository: `npx zx scripts/install-hooks.mjs --repo DIR
// [--uninstall]`. The installer itself lives in the library (proxy/git/install-hooks.mjs).

import { mainArgs } from '../proxy/main-module.mjs';
import { main } from '../proxy/git/install-hooks.mjs';

try {
  process.exitCode = await main(mainArgs(import.meta.url) ?? process.argv.slice(2));
} catch (err) {
  console.error(`install-hooks: ${err.stderr?.trim() || err.message}`);
  process.exitCode = 1;
}

// "Am I the script being run?" for every script of the project (TypeScript or .mjs, under node, tsx or
// zx), so a script's helpers can be imported without running it: scripts export main() and call it only
// when this says so.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The arguments after the script when the module at `importMetaUrl` is the one node was asked to run,
 * else null. `node|tsx script …` puts the script at argv[1]; `zx script …` at argv[2], after zx's own.
 */
export function mainArgs(importMetaUrl) {
  const self = realPath(fileURLToPath(importMetaUrl));
  for (const at of [1, 2]) {
    const arg = process.argv[at];
    if (arg !== undefined && realPath(arg) === self) return process.argv.slice(at + 1);
  }
  return null;
}

function realPath(path) {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

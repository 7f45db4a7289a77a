// Where this installation of claude-fallback lives: the one way every part finds a file of its own package
// (the dashboard's page, the bundle, the review entry), whether it runs from the sources or bundled into dist/.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'claude-fallback';
let cached;

/**
 * The package's root: the nearest folder at or above this module's file that holds a package.json, as Node finds
 * a module's package scope. This module sits inside the package (in scripts/, or inlined into a chunk in dist/), so
 * that package.json is always the package's own and nothing above it is ever looked at; one named otherwise means
 * the files were moved out of their package, which is refused rather than guessed around.
 */
export function packageRoot() {
  if (cached) return cached;
  const self = fileURLToPath(import.meta.url);
  for (let dir = dirname(self); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = JSON.parse(readFileSync(manifest, 'utf8')).name;
      if (name !== NAME)
        throw new Error(`${self} is not inside the ${NAME} package: the nearest package.json (${manifest}) is ${JSON.stringify(name)}'s`);
      return (cached = dir);
    }
    if (dirname(dir) === dir) throw new Error(`${self} is not inside the ${NAME} package: no package.json above it`);
  }
}

/** A file of the package, by its path from the root ('proxy/dashboard/static'). */
export function packageFile(...parts) {
  return join(packageRoot(), ...parts);
}

/** Whether this code runs from the esbuild bundle in <root>/dist/ rather than from the TypeScript sources. */
export function runsBundled() {
  return fileURLToPath(import.meta.url).startsWith(join(packageRoot(), 'dist') + sep);
}

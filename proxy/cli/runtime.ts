// What scripts/cli/dist.mjs hands the CLI: how this installation runs its TypeScript entries (the dist/ bundle,
// Node's own type stripping, or tsx) and where the package lives.

export type EntryName = 'cli' | 'proxy-process';

export type Runtime = {
  kind: 'dist' | 'native' | 'tsx';
  /** The package's root directory (bin/, scripts/, hooks/ …). */
  root: string;
  /** The module to import, or to start as `node ...nodeArgs file`. */
  file(name: EntryName): string;
  /** Node arguments a child needs to run `file(name)` (tsx's loader, when that is the way). */
  nodeArgs: string[];
};

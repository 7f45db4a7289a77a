// The trust store: which repository configs the user approved, each remembered by its path and the SHA-256 of
// its content in <user config folder>/trusted.json, so an edit to the file (a pull, a checkout) revokes it.
// The same idea as direnv's allow list and mise's trusted configs (docs/security.md).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import { userConfigDir } from './user-dir.ts';

type Entry = { sha256: string; trusted_at: string };
type Store = { version: 1; files: Record<string, Entry> };

/** Folders (separated like PATH: `:`, or `;` on Windows) whose configs are trusted without asking: the user's own setting, like mise's MISE_TRUSTED_CONFIG_PATHS. */
export const TRUSTED_PATHS_VAR = 'CLAUDE_FALLBACK_TRUSTED_PATHS';

export function storeFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(userConfigDir(env), 'trusted.json');
}

export function contentHash(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The key a file is remembered by: its absolute path with symlinks resolved (a missing file: as given). */
function keyOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

function read(env: NodeJS.ProcessEnv): Store {
  try {
    const parsed = JSON.parse(readFileSync(storeFile(env), 'utf8')) as Partial<Store>;
    if (parsed && typeof parsed.files === 'object' && parsed.files !== null) return { version: 1, files: parsed.files };
  } catch {
    // no store yet, or an unreadable one: nothing is trusted
  }
  return { version: 1, files: {} };
}

function write(store: Store, env: NodeJS.ProcessEnv): void {
  const file = storeFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(store, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file); // whole or not at all
}

/** How a file with this content is trusted: `store` (approved as it is now), `path` (under a trusted folder), or null. */
export function trustOf(file: string, content: Buffer | string, env: NodeJS.ProcessEnv = process.env): 'store' | 'path' | null {
  const key = keyOf(file);
  const folders = (env[TRUSTED_PATHS_VAR] ?? '').split(delimiter).filter(Boolean).map(keyOf);
  if (folders.some((f) => key === f || key.startsWith(f.endsWith(sep) ? f : f + sep))) return 'path';
  const entry = read(env).files[key];
  return entry !== undefined && entry.sha256 === contentHash(content) ? 'store' : null;
}

/** Remembers the file as it is now; returns the hash. */
export function trustFile(file: string, content: Buffer | string, env: NodeJS.ProcessEnv = process.env, now = new Date()): string {
  const store = read(env);
  const sha256 = contentHash(content);
  store.files[keyOf(file)] = { sha256, trusted_at: now.toISOString() };
  write(store, env);
  return sha256;
}

/** Forgets the file; false when it was not in the store. */
export function revokeFile(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const store = read(env);
  const key = keyOf(file);
  if (!(key in store.files)) return false;
  delete store.files[key];
  write(store, env);
  return true;
}

// `claude-fallback` as a user installs it: `npm install -g` into a temporary prefix, from this clone (npm
// links the folder) or from the tarball `npm pack` makes (a real copy, dependencies from the registry).
// Packing and installing take most of a minute, so `packedInstall()` does it once per state of the sources:
// every test file of a run (and the next run, while no packed file changes) shares one installation.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export type Installed = { prefix: string; bin: string };
export type Packed = Installed & { tarball: string; /** the installed package's root */ root: string };

const npm = (args: string[], cwd = ROOT) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: 'pipe', encoding: 'utf8' });

export function installFromClone(): Installed {
  const prefix = realpathSync(mkdtempSync(join(tmpdir(), 'cf-prefix-')));
  npm(['install', '-g', '--prefix', prefix, ROOT]);
  return { prefix, bin: join(prefix, 'bin', 'claude-fallback') };
}

/** `npm pack` (its prepack builds dist/), then `npm install -g <tarball>` into `prefix` (a new temp dir by default). */
export function installFromTarball(dir?: string): Packed {
  const out = dir ? join(dir, 'pack') : realpathSync(mkdtempSync(join(tmpdir(), 'cf-pack-')));
  mkdirSync(out, { recursive: true });
  npm(['pack', '--pack-destination', out]);
  const tarball = join(
    out,
    readdirSync(out).find((f) => f.endsWith('.tgz'))!,
  );
  const prefix = dir ? join(dir, 'prefix') : realpathSync(mkdtempSync(join(tmpdir(), 'cf-prefix-')));
  npm(['install', '-g', '--prefix', prefix, tarball]);
  return { prefix, bin: join(prefix, 'bin', 'claude-fallback'), tarball, root: join(prefix, 'lib', 'node_modules', 'claude-fallback') };
}

/** SHA-1 over every file npm packs from the sources (package.json's `files` but dist/, which prepack builds), and the lock. */
export function sourcesKey(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const hash = createHash('sha1');
  const add = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (name !== 'node_modules') add(join(path, name));
    } else {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const f of [...pkg.files.filter((f) => f.replace(/\/$/, '') !== 'dist'), 'package.json', 'package-lock.json']) add(join(ROOT, f));
  return hash.digest('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CACHE_PREFIX = 'claude-fallback-packed-';
const UNUSED_MS = 3600_000;

/** A cached installation is marked used each time it is handed out; those unused for an hour are removed. */
function used(done: string): Packed {
  const now = new Date();
  utimesSync(done, now, now);
  return JSON.parse(readFileSync(done, 'utf8')) as Packed;
}

function pruneUnused(tmp: string, keep: string): void {
  for (const name of readdirSync(tmp)) {
    const dir = join(tmp, name);
    if (!name.startsWith(CACHE_PREFIX) || name.endsWith('.lock') || dir === keep || existsSync(`${dir}.lock`)) continue;
    const mark = statSync(join(dir, 'installed.json'), { throwIfNoEntry: false }) ?? statSync(dir, { throwIfNoEntry: false });
    if (mark && Date.now() - mark.mtimeMs > UNUSED_MS) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The packed and installed package for the current sources: made by the first caller (a lock directory keeps two
 * test files from packing at once), reused by the others. Keyed by `sourcesKey()`, so an edit packs again.
 */
export async function packedInstall(): Promise<Packed> {
  const tmp = realpathSync(tmpdir());
  const dir = join(tmp, `${CACHE_PREFIX}${sourcesKey().slice(0, 16)}`);
  const done = join(dir, 'installed.json');
  const lock = `${dir}.lock`;
  for (let waited = 0; ; waited += 500) {
    if (existsSync(done)) return used(done);
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file packs: wait for it (a lock left by a killed run is taken over after 10 minutes).
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) rmSync(lock, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    if (existsSync(done)) return used(done);
    pruneUnused(tmp, dir);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const packed = installFromTarball(dir);
    writeFileSync(`${done}.tmp`, JSON.stringify(packed));
    renameSync(`${done}.tmp`, done);
    return packed;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The environment the tests run the bin with: no vendor keys, no notifications, no tsx on PATH (the same node). */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '').split(':').filter((p) => p && !existsSync(join(p, 'tsx')));
  return {
    ...process.env,
    PATH: path.join(':'),
    GEMINI_API_KEY: '',
    DEEPSEEK_API_KEY: '',
    DISCORD_WEBHOOK_URL: '',
    NO_COLOR: '1',
    ...extra,
  };
}

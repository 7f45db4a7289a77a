// How the `claude-fallback` bin runs the project's TypeScript on a plain `node`: from `dist/`, an esbuild bundle
// of the CLI and the proxy (gitignored; `npm pack` puts it in the tarball, and the first run of a clone builds it).
// Why a bundle and not a loader: on Node 20 every module loader (tsx included) runs its hooks in a second V8
// isolate, about 34 MB of the proxy's resident memory for nothing once the code is loaded; a plain `.mjs` costs no
// loader at all and loads in one file read per chunk. `dist/build.json` lists each source file the bundle came
// from with its SHA-1, so an edited source is rebuilt before it runs, whatever the file times say (npm pack
// stamps every file with the same date). Where dist/ cannot be written (a read-only global install without
// it), the sources run through the package's own tsx (natively on Node >= 22.18 in a clone; Node refuses to
// strip types in files under node_modules, where an installed copy lives).
// Also `node scripts/cli/dist.mjs --build` (the `prepack` script).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { packageRoot } from '../../proxy/package-root.mjs';

export const ROOT = packageRoot();
export const DIST = join(ROOT, 'dist');
const MANIFEST = join(DIST, 'build.json');
/**
 * Entry points by name; `[name]` is how callers ask for them (runtime.file(name)). `review` is the review CLI the
 * dashboard runs as a child (proxy/dashboard/review-cli.ts reads its file from the manifest's `entries`).
 */
export const ENTRIES = {
  cli: 'scripts/cli/main.ts',
  'proxy-process': 'scripts/cli/proxy-process.ts',
  review: 'scripts/review.ts',
  attribution: 'scripts/attribution-note.ts',
};
const FORMAT = 4; // bump when the manifest's shape or the build options change (2: the review entry; 3: it is scripts/review.ts; 4: attribution)
const KEEP_BUILDS = 3;

function sha1(file) {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

function readManifest() {
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    return m && m.format === FORMAT && m.entries && m.inputs ? m : null;
  } catch {
    return null;
  }
}

/** size:mtime of a file, the cheap first look before its content is hashed. */
function stamp(file) {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}

/**
 * True when every source the bundle was made from still has the same content and every output is there. A source
 * whose size and time are as recorded is taken as unchanged; any other is hashed (npm pack gives every file the
 * same time, so an unpacked tarball hashes them all, once: the new times are recorded when dist/ is writable).
 */
export function isFresh(m = readManifest()) {
  if (!m) return false;
  let restamped = false;
  try {
    for (const [file, hash] of Object.entries(m.inputs)) {
      const path = join(ROOT, file);
      const now = stamp(path);
      if (m.stamps?.[file] === now) continue;
      if (sha1(path) !== hash) return false;
      (m.stamps ??= {})[file] = now;
      restamped = true;
    }
    if (!Object.values(m.entries).every((f) => existsSync(join(DIST, f)))) return false;
  } catch {
    return false; // a source was removed or renamed
  }
  if (restamped) writeManifest(m);
  return true;
}

function writeManifest(m) {
  try {
    const tmp = `${MANIFEST}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(m, null, 1) + '\n');
    renameSync(tmp, MANIFEST);
  } catch {
    // read-only install: hash again next time
  }
}

/**
 * Builds dist/ with esbuild. Every file is written beside its place and renamed into it, the manifest last: a
 * process that loads dist/ while another builds it (two commands started at once) reads whole files only.
 */
export async function build() {
  const esbuild = await import('esbuild');
  const entryPoints = Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, join(ROOT, src)]));
  mkdirSync(DIST, { recursive: true });
  const result = await esbuild.build({
    entryPoints,
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies load from node_modules as they are, except yaml: its ESM build goes into the bundle (one file
    // instead of the ~70 CommonJS modules Node picks for it: 10 ms instead of 35 ms when the launcher starts).
    external: Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies).filter((d) => d !== 'yaml'),
    alias: { yaml: join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser', 'index.js') },
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked', // stack traces name the .ts lines
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  const inputs = {};
  const stamps = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const abs = resolve(process.cwd(), file);
    if (/[\\/]node_modules[\\/]/.test(abs)) continue;
    const rel = relative(ROOT, abs).split('\\').join('/');
    inputs[rel] = sha1(abs);
    stamps[rel] = stamp(abs);
  }
  const entries = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = Object.keys(ENTRIES).find((n) => resolve(process.cwd(), meta.entryPoint) === entryPoints[n]);
    if (name) entries[name] = relative(DIST, resolve(process.cwd(), out));
  }
  const manifest = { format: FORMAT, built: new Date().toISOString(), node: process.version, entries, inputs, stamps };
  writeManifest(manifest);
  prune(new Set(Object.keys(result.metafile.outputs).map((o) => resolve(process.cwd(), o))));
  return manifest;
}

/** Keeps the outputs of the last few builds (a running proxy may still load a lazy chunk of its own build). */
function prune(current) {
  const files = readdirSync(DIST)
    .filter((f) => /\.mjs(\.map)?$/.test(f))
    .map((f) => join(DIST, f))
    .filter((f) => !current.has(f) && !current.has(f.replace(/\.map$/, '')));
  const byAge = files.map((f) => ({ f, t: statSync(f).mtimeMs })).sort((a, b) => b.t - a.t);
  const perBuild = Math.max(1, current.size);
  for (const { f } of byAge.slice(perBuild * (KEEP_BUILDS - 1))) rmSync(f, { force: true });
}

/**
 * How to run the TypeScript entries here (the Runtime of proxy/cli/runtime.ts). CLAUDE_FALLBACK_RUNTIME=sources
 * skips dist/ (to compare, or to rule the bundle out when something looks wrong).
 */
export async function runtime({ rebuild = true } = {}) {
  const sourcesOnly = process.env.CLAUDE_FALLBACK_RUNTIME === 'sources';
  let m = sourcesOnly ? null : readManifest();
  let fresh = !sourcesOnly && isFresh(m);
  if (!fresh && rebuild && !sourcesOnly) {
    try {
      m = await build();
      fresh = true;
    } catch (err) {
      if (process.env.CLAUDE_FALLBACK_DEBUG)
        process.stderr.write(`claude-fallback: cannot build ${DIST} (${err.message}); running the sources\n`);
    }
  }
  if (m && fresh) return { kind: 'dist', root: ROOT, file: (name) => join(DIST, m.entries[name]), nodeArgs: [] };
  const src = (name) => join(ROOT, ENTRIES[name]);
  const [major, minor] = process.versions.node.split('.').map(Number);
  // Node strips types itself from 22.18, but not in files under node_modules, which is where npm installs us.
  const installed = /[\\/]node_modules[\\/]/.test(ROOT);
  if (!installed && (major > 22 || (major === 22 && minor >= 18))) return { kind: 'native', root: ROOT, file: src, nodeArgs: [] };
  const { register } = await import('tsx/esm/api');
  register();
  return { kind: 'tsx', root: ROOT, file: src, nodeArgs: ['--import', import.meta.resolve('tsx')] };
}

export async function importEntry(rt, name) {
  return import(pathToFileURL(rt.file(name)).href);
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && resolve(process.argv[1]) === self) {
  if (process.argv[2] !== '--build') {
    process.stderr.write('usage: node scripts/cli/dist.mjs --build   (bundles the CLI and the proxy into dist/)\n');
    process.exitCode = 2;
  } else {
    build().then(
      (m) =>
        process.stdout.write(
          `built ${relative(process.cwd(), DIST) || '.'}/: ${Object.values(m.entries).join(', ')} from ${Object.keys(m.inputs).length} sources\n`,
        ),
      (err) => {
        process.stderr.write(`build failed: ${err.message}\n`);
        process.exitCode = 1;
      },
    );
  }
}

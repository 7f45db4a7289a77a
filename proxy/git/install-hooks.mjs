// Installs this project's git hooks into any repository without writing a file git tracks; `--uninstall` puts
// everything back. Its command line is the entry scripts/install-hooks.mjs (npx zx scripts/install-hooks.mjs
// --repo DIR [--uninstall]); `claude-fallback hooks` and the start's hooks setup call it too.
//
// How (docs/git.md, "Installing the hooks"): our hooks and their library are copied into
// <git common dir>/fallback-hooks/lib, so neither this project nor the repository may move under them.
// - No core.hooksPath ("default"): git runs <git common dir>/hooks/<hook>, which no work tree holds. A stub there
//   runs the hook that was there first (renamed <hook>.fallback-orig, byte for byte, symlinks as symlinks), then ours.
// - A core.hooksPath (husky's .husky/_, a tracked .githooks/, a global one), or a hooks dir that is a link into the
//   work tree ("redirect"): nothing is written there. core.hooksPath in .git/config points at
//   <git common dir>/fallback-hooks instead, whose dispatchers run the team's hook from the path before (every hook
//   git knows, not only ours), then ours for our three. The value before is kept in fallback-hooks/previous and
//   put back by --uninstall. husky's `prepare` script sets core.hooksPath again on every npm install: installing
//   again (the start script does at every start, and while it runs when .git/config changes) chains it anew.

import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NOTES_REF } from '../attribution/notes-ref.mjs';
import { packageFile } from '../package-root.mjs';
import { parseArgs } from 'node:util';
import { $ } from 'zx';

export const HOOKS = ['prepare-commit-msg', 'post-commit', 'post-rewrite'];
export const PROJECT_HOOKS_DIR = packageFile('hooks');
const LIB_FILES = [...HOOKS, 'active-run.sh', 'attribution.sh'];
/** Under the git common dir: the copied library (lib/), and in redirect mode the dispatchers git runs. */
export const STATE_DIR = 'fallback-hooks';
/** The name a hook that was there before us is kept under (default mode); the stub runs it first. */
export const ORIGINAL_SUFFIX = '.fallback-orig';
const STUB_MARK = '# claude-fallback stub:';
/**
 * The hooks a client's git runs in a work tree (githooks(5), https://git-scm.com/docs/githooks; the same list
 * husky v9 installs): a dispatcher forwards each to the team's hooks path, so pointing core.hooksPath elsewhere
 * turns none of theirs off.
 */
export const CLIENT_HOOKS = [
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'pre-commit',
  'pre-merge-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'pre-auto-gc',
  'post-rewrite',
];
/** Hooks git runs often (reference-transaction: every ref update) or only on servers: forwarded when the team has one. */
const OTHER_HOOKS = [
  'reference-transaction',
  'post-index-change',
  'sendemail-validate',
  'fsmonitor-watchman',
  'push-to-checkout',
  'pre-receive',
  'update',
  'proc-receive',
  'post-receive',
  'post-update',
  'p4-changelist',
  'p4-prepare-changelist',
  'p4-post-changelist',
  'p4-pre-submit',
];
// What the installers before this one left inside a work tree: an info/exclude block (removed on sight).
const EXCLUDE_BEGIN = '# >>> claude-fallback hook stubs (scripts/install-hooks.mjs)';
const EXCLUDE_END = '# <<< claude-fallback hook stubs';
const EXCLUDE_FLAGS = { created: ' [file created]', newline: ' [newline added]' };

async function gitOut(cwd, args, { nothrow = false } = {}) {
  const r = await $({ cwd, quiet: true, nothrow: true })`git ${args}`;
  if (r.exitCode !== 0 && !nothrow) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.exitCode === 0 ? r.stdout.replace(/\n$/, '') : null;
}

/**
 * Where git runs this repository's hooks and how ours get there. `mode`: `default` (stubs in the common hooks
 * dir), `redirect` (core.hooksPath to our dispatchers), `self` (this project: its committed .husky/* call hooks/*).
 */
export async function hookTarget(repo) {
  if (!existsSync(resolve(repo))) throw new Error(`${resolve(repo)} does not exist`);
  const top = await gitOut(resolve(repo), ['rev-parse', '--show-toplevel']);
  const commonDir = resolve(top, await gitOut(top, ['rev-parse', '--git-common-dir']));
  const stateDir = join(commonDir, STATE_DIR);
  const effective = resolve(top, await gitOut(top, ['rev-parse', '--git-path', 'hooks']));
  const defaultDir = join(commonDir, 'hooks');
  const configured = await gitOut(top, ['config', '--type=path', '--get', 'core.hooksPath'], { nothrow: true });
  const local = await gitOut(top, ['config', '--local', '--get', 'core.hooksPath'], { nothrow: true });
  const exclude = resolve(top, await gitOut(top, ['rev-parse', '--git-path', 'info/exclude']));
  const base = { top, commonDir, stateDir, defaultDir, effective, configured, local, exclude, previous: readPrevious(stateDir) };
  const husky = effective.endsWith(`${sep}_`) && existsSync(join(effective, 'h'));
  if (husky && samePath(top, resolve(PROJECT_HOOKS_DIR, '..'))) return { ...base, mode: 'self', dir: effective };
  if (samePath(effective, stateDir)) return { ...base, mode: 'redirect', dir: stateDir };
  // The common hooks dir is ours to write unless it is a link into the work tree (a tracked hooks folder).
  if (samePath(effective, defaultDir) && !insideWorkTree(top, commonDir, defaultDir)) return { ...base, mode: 'default', dir: defaultDir };
  return { ...base, mode: 'redirect', dir: stateDir };
}

function readPrevious(stateDir) {
  try {
    const p = JSON.parse(readFileSync(join(stateDir, 'previous'), 'utf8'));
    return typeof p?.team === 'string' && (p.local === null || typeof p.local === 'string') ? p : null;
  } catch {
    return null;
  }
}

/** The stub for one of our hooks in default mode: runs the hook that was there first (its failure stops git), then ours. */
export function stubText(hook, tagPrefix) {
  const orig = `"$d/${hook}${ORIGINAL_SUFFIX}"`;
  return hookScript(
    hook,
    `runs the ${hook} that was here first (${hook}${ORIGINAL_SUFFIX}), then the fallback proxy's one.`,
    '"$d/../fallback-hooks/lib"',
    orig,
    [],
    tagPrefix,
  );
}

/** A dispatcher in redirect mode: runs the team's hook from `team` (the core.hooksPath before), then ours for our hooks. */
export function dispatcherText(hook, team, tagPrefix) {
  const theirs = `"$t/${hook}"`;
  const head = [`t=${shellQuote(team)} # relative paths are the work tree's, where git runs hooks`];
  if (!HOOKS.includes(hook)) {
    return [
      '#!/bin/sh',
      `${STUB_MARK} runs the team's ${hook} from the core.hooksPath before claude-fallback (${team}).`,
      '# Installed by scripts/install-hooks.mjs of claude-fallback; its --uninstall puts core.hooksPath back.',
      ...head,
      `[ -x ${theirs} ] || exit 0`,
      `exec ${theirs} "$@"`,
      '',
    ].join('\n');
  }
  return hookScript(
    hook,
    `runs the team's ${hook} from the core.hooksPath before (${team}), then the fallback proxy's one.`,
    '"$d/lib"',
    theirs,
    head,
    tagPrefix,
  );
}

/** `tagPrefix` is baked in (fb_prefix) so that post-commit and post-rewrite need no `git config` to read it. */
function hookScript(hook, what, lib, first, head = [], tagPrefix) {
  const runFirst = `[ ! -x ${first} ] || ${first} "$@"`;
  const missing = `echo "warning: claude-fallback: $fb_here/${hook} is missing; install the hooks again (npx zx scripts/install-hooks.mjs --repo \\"$PWD\\" in claude-fallback) or remove them (the same with --uninstall)" >&2`;
  const lines = [
    '#!/bin/sh',
    `${STUB_MARK} ${what}`,
    '# Installed by scripts/install-hooks.mjs of claude-fallback; its --uninstall puts back what was here.',
    ...head,
    'case $0 in */*) d=${0%/*} ;; *) d=. ;; esac',
    `fb_here=${lib}`,
    ...(tagPrefix === undefined ? [] : [`fb_prefix=${shellQuote(tagPrefix)}`]),
  ];
  if (hook === 'post-rewrite') {
    // Both hooks read git's "old new" lines from stdin.
    lines.push(
      'input=$(cat)',
      `printf '%s\\n' "$input" | { ${runFirst}; } || exit $?`,
      `if [ -f "$fb_here/${hook}" ]; then printf '%s\\n' "$input" | fb_prefix="$fb_prefix" sh "$fb_here/${hook}" "$@"; else ${missing}; fi`,
    );
  } else {
    // Ours is sourced rather than started: one `sh` process less per commit.
    lines.push(`${runFirst} || exit $?`, `if [ -f "$fb_here/${hook}" ]; then . "$fb_here/${hook}"; else ${missing}; fi`);
  }
  return [...lines, 'exit 0', ''].join('\n');
}

function emptyResult(target) {
  return {
    mode: target.mode,
    dir: target.dir,
    team: null,
    installed: [],
    chained: [],
    updated: [],
    unchanged: [],
    skipped: [],
    redirected: false,
  };
}

/**
 * Installs the hooks (see the top of this file). Idempotent: installing twice changes nothing. `tagPrefix` is
 * written to `fallback.tagPrefix`, where post-commit and post-rewrite read it.
 */
export async function installHooks(repo, { hooksDir = PROJECT_HOOKS_DIR, tagPrefix } = {}) {
  const target = await hookTarget(repo);
  const result = emptyResult(target);
  if (target.mode === 'self') {
    result.unchanged.push(...HOOKS);
    return result;
  }
  await putBackLegacyStubs(target);
  copyLibrary(target.stateDir, hooksDir);
  writeAttributionLauncher(target.stateDir);
  await addNotesRewriteRef(target.top);
  if (target.mode === 'default') {
    installStubs(target, result, tagPrefix);
    removeDispatchers(target.stateDir, []);
    rmSync(join(target.stateDir, 'previous'), { force: true });
  } else {
    await redirect(target, result, tagPrefix);
  }
  if (tagPrefix !== undefined && (await gitOut(target.top, ['config', '--get', 'fallback.tagPrefix'], { nothrow: true })) !== tagPrefix) {
    await gitOut(target.top, ['config', 'fallback.tagPrefix', tagPrefix]);
  }
  return result;
}

/** The script the hooks start, detached, to write a commit's attribution note. */
export const ATTRIBUTION_SCRIPT = packageFile('scripts/attribution-note.mjs');

/**
 * lib/attribution-env.sh: the node that installed the hooks and the note writer, for post-commit and post-rewrite (a
 * hook cannot count on node being on the PATH of a GUI's git).
 */
function writeAttributionLauncher(stateDir) {
  const file = join(stateDir, 'lib', 'attribution-env.sh');
  const text = [
    '# Written by scripts/install-hooks.mjs of claude-fallback: how the hooks start the attribution note writer.',
    `fb_node=${shellQuote(process.execPath)}`,
    `fb_attr=${shellQuote(ATTRIBUTION_SCRIPT)}`,
    '',
  ].join('\n');
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileAtomic(file, text, 0o644);
}

/** Adds the notes ref to notes.rewriteRef (a list) unless it is there, so amend and rebase copy the notes. */
async function addNotesRewriteRef(top) {
  const have = await gitOut(top, ['config', '--get-all', 'notes.rewriteRef'], { nothrow: true });
  if (have !== null && have.split('\n').includes(NOTES_REF)) return;
  await gitOut(top, ['config', '--local', '--add', 'notes.rewriteRef', NOTES_REF]);
}

function copyLibrary(stateDir, hooksDir) {
  const lib = join(stateDir, 'lib');
  mkdirSync(lib, { recursive: true });
  for (const name of LIB_FILES) {
    const from = join(hooksDir, name);
    const to = join(lib, name);
    if (!existsSync(from)) {
      rmSync(to, { force: true });
      continue;
    }
    if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
    copyFileSync(from, `${to}.tmp`);
    chmodSync(`${to}.tmp`, 0o755);
    renameSync(`${to}.tmp`, to);
  }
}

function installStubs(target, result, tagPrefix) {
  mkdirSync(target.dir, { recursive: true });
  for (const hook of HOOKS) {
    const file = join(target.dir, hook);
    const orig = file + ORIGINAL_SUFFIX;
    const want = stubText(hook, tagPrefix);
    if (isStub(file)) {
      if (readFileSync(file, 'utf8') === want) result.unchanged.push(hook);
      else {
        writeFileAtomic(file, want);
        result.updated.push(hook);
      }
    } else if (lexists(file)) {
      if (lexists(orig)) {
        result.skipped.push(`${hook}: both ${file} and ${orig} exist; move one away and install again`);
        continue;
      }
      renameSync(file, orig); // a symlink moves as the link, dangling or not
      writeFileAtomic(file, want);
      result.chained.push(hook);
    } else {
      writeFileAtomic(file, want);
      (lexists(orig) ? result.chained : result.installed).push(hook);
    }
  }
}

async function redirect(target, result, tagPrefix) {
  const ours = target.mode === 'redirect' && samePath(target.effective, target.stateDir);
  // Installed already: the team's path is the one recorded. Otherwise it is the path git uses now.
  const previous = ours && target.previous ? target.previous : { local: target.local, team: target.configured ?? target.defaultDir };
  result.team = previous.team;
  mkdirSync(target.stateDir, { recursive: true });
  const text = JSON.stringify(previous) + '\n';
  const file = join(target.stateDir, 'previous');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileAtomic(file, text, 0o644);

  const teamDir = resolve(target.top, previous.team);
  const names = [...CLIENT_HOOKS, ...OTHER_HOOKS.filter((h) => lexists(join(teamDir, h)))];
  for (const hook of names) {
    const path = join(target.stateDir, hook);
    const want = dispatcherText(hook, previous.team, tagPrefix);
    if (existsSync(path) && readFileSync(path, 'utf8') === want) {
      if (HOOKS.includes(hook)) result.unchanged.push(hook);
      continue;
    }
    const had = existsSync(path);
    writeFileAtomic(path, want);
    if (HOOKS.includes(hook)) (had ? result.updated : lexists(join(teamDir, hook)) ? result.chained : result.installed).push(hook);
  }
  removeDispatchers(target.stateDir, names);
  if (target.local !== target.stateDir) {
    await gitOut(target.top, ['config', '--local', 'core.hooksPath', target.stateDir]);
    result.redirected = true;
  }
}

/** Deletes the dispatchers in `stateDir` whose hook is not in `keep`. */
function removeDispatchers(stateDir, keep) {
  for (const hook of [...CLIENT_HOOKS, ...OTHER_HOOKS]) {
    if (!keep.includes(hook) && isStub(join(stateDir, hook))) unlinkSync(join(stateDir, hook));
  }
}

/** Removes our hooks and puts back what was there: the stubs' originals, core.hooksPath, fallback.tagPrefix. */
export async function uninstallHooks(repo) {
  const target = await hookTarget(repo);
  const result = { mode: target.mode, dir: target.dir, removed: [], restored: [], skipped: [] };
  if (target.mode === 'self') return result;
  // The stubs in the common hooks dir (default mode now or at an earlier install).
  if (!insideWorkTree(target.top, target.commonDir, target.defaultDir)) restoreStubs(target.defaultDir, result);
  await putBackLegacyStubs(target, result);
  if (samePath(target.effective, target.stateDir)) {
    const previous = target.previous;
    if (previous?.local != null) await gitOut(target.top, ['config', '--local', 'core.hooksPath', previous.local]);
    else await gitOut(target.top, ['config', '--local', '--unset', 'core.hooksPath'], { nothrow: true });
    result.restored.push(previous?.local != null ? `core.hooksPath = ${previous.local}` : 'core.hooksPath unset');
  }
  if (existsSync(target.stateDir)) {
    rmSync(target.stateDir, { recursive: true, force: true });
    result.removed.push(target.stateDir);
  }
  // The note prepare-commit-msg leaves post-commit, in each work tree's git dir.
  const worktrees = join(target.commonDir, 'worktrees');
  const gitDirs = [target.commonDir, ...(existsSync(worktrees) ? readdirSync(worktrees).map((w) => join(worktrees, w)) : [])];
  for (const dir of gitDirs) rmSync(join(dir, 'fallback-run'), { force: true });
  if ((await gitOut(target.top, ['config', '--get', 'fallback.tagPrefix'], { nothrow: true })) !== null) {
    await gitOut(target.top, ['config', '--unset', 'fallback.tagPrefix']);
  }
  // The notes stay (they are the history's); only the config line that made rewrites copy them goes.
  await gitOut(target.top, ['config', '--local', '--unset-all', 'notes.rewriteRef', `^${NOTES_REF.replaceAll('/', '\\/')}$`], {
    nothrow: true,
  });
  if ((await gitOut(target.top, ['config', '--local', '--get-regexp', '^notes\\.'], { nothrow: true })) === null) {
    await gitOut(target.top, ['config', '--local', '--remove-section', 'notes'], { nothrow: true });
  }
  // `git config --unset` leaves an empty [fallback] header behind; remove it when nothing else is in it.
  if ((await gitOut(target.top, ['config', '--local', '--get-regexp', '^fallback\\.'], { nothrow: true })) === null) {
    await gitOut(target.top, ['config', '--local', '--remove-section', 'fallback'], { nothrow: true });
  }
  return result;
}

function restoreStubs(dir, result) {
  for (const hook of HOOKS) {
    const file = join(dir, hook);
    const orig = file + ORIGINAL_SUFFIX;
    if (lexists(file) && !isStub(file)) {
      if (lexists(orig)) result?.skipped.push(`${hook}: ${file} is not our stub; ${orig} left in place`);
      continue;
    }
    const hadStub = lexists(file);
    if (hadStub) unlinkSync(file);
    if (lexists(orig)) {
      renameSync(orig, file);
      result?.restored.push(file);
    } else if (hadStub) result?.removed.push(file);
  }
}

/**
 * Installers before this one wrote their stubs into the hooks path itself, also when it was tracked (husky's
 * .husky/, a .githooks/ folder), and listed them in info/exclude: put those originals back and drop the block.
 */
async function putBackLegacyStubs(target, result) {
  const dirs = [];
  if (!samePath(target.effective, target.stateDir) && !samePath(target.effective, target.defaultDir)) dirs.push(target.effective);
  if (target.previous) dirs.push(resolve(target.top, target.previous.team));
  for (const d of [...dirs]) if (d.endsWith(`${sep}_`)) dirs.push(dirname(d)); // husky: .husky/<hook>
  for (const d of dirs) if (existsSync(d)) restoreStubs(d, result);
  if (existsSync(target.exclude)) {
    const text = readFileSync(target.exclude, 'utf8');
    const cleaned = withExcludeBlock(text, []);
    if (cleaned !== text) {
      if (cleaned === null) unlinkSync(target.exclude);
      else writeFileSync(target.exclude, cleaned);
    }
  }
}

/**
 * `info/exclude` text with the old installers' block holding `entries` (none: the block removed), such that
 * removing the block gives back the exact text there was before it was added; null = the file should not exist.
 */
export function withExcludeBlock(text, entries) {
  let base = text;
  let created = text === null;
  const start = text === null ? -1 : text.indexOf(EXCLUDE_BEGIN);
  if (text !== null && start !== -1) {
    const endMark = text.indexOf(EXCLUDE_END + '\n', start);
    const end = endMark === -1 ? text.length : endMark + EXCLUDE_END.length + 1;
    const header = text.slice(start, text.indexOf('\n', start));
    created = header.includes(EXCLUDE_FLAGS.created);
    const cut = header.includes(EXCLUDE_FLAGS.newline) && start > 0 ? start - 1 : start;
    base = text.slice(0, cut) + text.slice(end);
    if (created && base === '') base = null;
  }
  if (entries.length === 0) return base;
  const prefix = base ?? '';
  const newline = prefix !== '' && !prefix.endsWith('\n');
  const header = EXCLUDE_BEGIN + (created ? EXCLUDE_FLAGS.created : '') + (newline ? EXCLUDE_FLAGS.newline : '');
  return `${prefix}${newline ? '\n' : ''}${header}\n${entries.join('\n')}\n${EXCLUDE_END}\n`;
}

/** A regular file holding our mark (a symlink never is one: it is someone's hook, kept as a link). */
function isStub(file) {
  try {
    return lstatSync(file).isFile() && readFileSync(file, 'utf8').includes(STUB_MARK);
  } catch {
    return false;
  }
}

/** True when something is at `file`, a dangling symlink included. */
function lexists(file) {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes a new file and renames it over `file`: never through a symlink that is there, never half written. */
function writeFileAtomic(file, text, mode = 0o755) {
  const tmp = `${file}.fallback-tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** True when `dir` (followed through links) is inside the work tree and not inside the git dir. */
function insideWorkTree(top, commonDir, dir) {
  const real = (p) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const inside = (child, parent) => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  return inside(real(dir), real(top)) && !inside(real(dir), real(commonDir));
}

function shellQuote(s) {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function samePath(a, b) {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

export async function main(args) {
  const usage =
    'usage: npx zx scripts/install-hooks.mjs --repo DIR [--uninstall]\n  installs (or removes) the claude-fallback git hooks in DIR; see docs/git.md';
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        repo: { type: 'string' },
        uninstall: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`install-hooks: ${err.message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.repo) {
    console.error(usage);
    return 2;
  }
  if (values.uninstall) {
    const r = await uninstallHooks(values.repo);
    for (const h of r.restored) console.log(`restored ${h}`);
    for (const h of r.removed) console.log(`removed ${h}`);
    for (const s of r.skipped) console.error(`warning: ${s}`);
    return 0;
  }
  const r = await installHooks(values.repo);
  if (r.mode === 'redirect' && r.redirected)
    console.log(`core.hooksPath = ${r.dir} (in .git/config); the team's hooks in ${r.team} run first`);
  for (const h of r.installed) console.log(`installed ${join(r.dir, h)}`);
  for (const h of r.chained) console.log(`installed ${join(r.dir, h)} (the hook that was there runs first)`);
  for (const h of r.updated) console.log(`updated ${join(r.dir, h)}`);
  if (r.unchanged.length) console.log(`unchanged: ${r.unchanged.join(', ')} in ${r.dir}`);
  for (const s of r.skipped) console.error(`warning: ${s}`);
  return r.skipped.length ? 1 : 0;
}

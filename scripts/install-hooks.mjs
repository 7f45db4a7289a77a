#!/usr/bin/env zx
// Installs this project's git hooks into any repository as small chaining stubs; `--uninstall` restores it.
// Usage: npx zx scripts/install-hooks.mjs --repo DIR [--uninstall]

import { chmodSync, existsSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { $ } from 'zx';

export const HOOKS = ['prepare-commit-msg', 'post-commit', 'post-rewrite'];
export const PROJECT_HOOKS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'hooks');
/** The name a hook that was there before us is kept under; the stub runs it first. */
export const ORIGINAL_SUFFIX = '.fallback-orig';
const STUB_MARK = '# claude-fallback stub:';
const EXCLUDE_BEGIN = '# >>> claude-fallback hook stubs (scripts/install-hooks.mjs)';
const EXCLUDE_END = '# <<< claude-fallback hook stubs';
const EXCLUDE_FLAGS = { created: ' [file created]', newline: ' [newline added]' };

/**
 * Where git runs this repository's hooks and how: `git` = the hooks directory itself (`.git/hooks`, or
 * `core.hooksPath`), whose hooks git runs only when executable; `husky` = husky v9's `.husky/_` runner, which
 * runs `.husky/<hook>` with `sh -e`, so the stubs go there (`.husky/_` is rewritten by every `husky` run).
 */
export async function hookTarget(repo) {
  if (!existsSync(resolve(repo))) throw new Error(`${resolve(repo)} does not exist`);
  const top = (await $({ cwd: resolve(repo), quiet: true })`git rev-parse --show-toplevel`).stdout.trim();
  const git = $({ cwd: top, quiet: true });
  const hooksPath = resolve(top, (await git`git rev-parse --git-path hooks`).stdout.trim());
  const commonDir = resolve(top, (await git`git rev-parse --git-common-dir`).stdout.trim());
  const exclude = resolve(top, (await git`git rev-parse --git-path info/exclude`).stdout.trim());
  const husky = hooksPath.endsWith(`${sep}_`) && existsSync(join(hooksPath, 'h'));
  return { top, commonDir, exclude, dir: husky ? dirname(hooksPath) : hooksPath, style: husky ? 'husky' : 'git' };
}

/**
 * The stub for one hook: runs the hook that was there first (its failure still stops git), then ours. Ours is
 * sourced rather than started (one `sh` process less per hook, ~1.5 ms on this machine), except
 * post-rewrite, whose stdin both hooks read.
 */
export function stubText(hook, style, hooksDir = PROJECT_HOOKS_DIR) {
  const orig = `"$d/${hook}${ORIGINAL_SUFFIX}"`;
  // git skips a hook file that is not executable; husky runs `.husky/<hook>` with `sh -e` whatever its mode.
  const runOrig = style === 'husky' ? `[ ! -f ${orig} ] || sh -e ${orig} "$@"` : `[ ! -x ${orig} ] || ${orig} "$@"`;
  const missing = 'echo "warning: claude-fallback: $h is missing" >&2';
  const lines = [
    '#!/bin/sh',
    `${STUB_MARK} runs the ${hook} that was here first, then the fallback proxy's one.`,
    '# Installed by scripts/install-hooks.mjs of claude-fallback; its --uninstall puts the original back.',
    'case $0 in */*) d=${0%/*} ;; *) d=. ;; esac',
    `fb_here=${shellQuote(hooksDir)}`,
    `h="$fb_here/${hook}"`,
  ];
  if (hook === 'post-rewrite') {
    lines.push(
      'input=$(cat)',
      `printf '%s\\n' "$input" | { ${runOrig}; } || exit $?`,
      `if [ -f "$h" ]; then printf '%s\\n' "$input" | sh "$h" "$@"; else ${missing}; fi`,
    );
  } else {
    lines.push(`${runOrig} || exit $?`, `if [ -f "$h" ]; then . "$h"; else ${missing}; fi`);
  }
  return [...lines, 'exit 0', ''].join('\n');
}

/** Installs the stubs; a hook already there is kept as `<hook>.fallback-orig` and runs first. Idempotent. */
export async function installHooks(repo, { hooksDir = PROJECT_HOOKS_DIR } = {}) {
  const target = await hookTarget(repo);
  const result = { dir: target.dir, style: target.style, installed: [], chained: [], updated: [], unchanged: [], skipped: [] };
  if (target.style === 'husky' && samePath(target.top, resolve(PROJECT_HOOKS_DIR, '..'))) {
    // This project itself: its committed .husky/* already call hooks/*.
    result.unchanged.push(...HOOKS);
    return result;
  }
  mkdirSync(target.dir, { recursive: true });
  for (const hook of HOOKS) {
    const file = join(target.dir, hook);
    const orig = file + ORIGINAL_SUFFIX;
    const want = stubText(hook, target.style, hooksDir);
    if (existsSync(file) && isStub(file)) {
      if (readFileSync(file, 'utf8') === want) result.unchanged.push(hook);
      else {
        writeStub(file, want);
        result.updated.push(hook);
      }
    } else if (existsSync(file)) {
      if (existsSync(orig)) {
        result.skipped.push(`${hook}: both ${file} and ${orig} exist; move one away and install again`);
        continue;
      }
      renameSync(file, orig);
      writeStub(file, want);
      result.chained.push(hook);
    } else {
      writeStub(file, want);
      (existsSync(orig) ? result.chained : result.installed).push(hook);
    }
  }
  syncExclude(target, ownedPaths(target));
  return result;
}

/** Removes the stubs and puts every original back by rename, so bytes and mode are exactly as before. */
export async function uninstallHooks(repo) {
  const target = await hookTarget(repo);
  const result = { dir: target.dir, removed: [], restored: [], skipped: [] };
  for (const hook of HOOKS) {
    const file = join(target.dir, hook);
    const orig = file + ORIGINAL_SUFFIX;
    if (existsSync(file) && !isStub(file)) {
      if (existsSync(orig)) result.skipped.push(`${hook}: ${file} is not our stub; ${orig} left in place`);
      continue;
    }
    const hadStub = existsSync(file);
    if (hadStub) unlinkSync(file);
    if (existsSync(orig)) {
      renameSync(orig, file);
      result.restored.push(hook);
    } else if (hadStub) result.removed.push(hook);
  }
  syncExclude(target, ownedPaths(target));
  return result;
}

/**
 * The files of ours that sit inside the work tree (husky's `.husky/`, a tracked `core.hooksPath`): they are
 * listed in `info/exclude` so `git add -A` (the auto-commit at a switch) never commits them.
 */
function ownedPaths(target) {
  const rel = relative(target.top, target.dir);
  if (rel.startsWith('..') || isAbsolute(rel) || !relative(target.commonDir, target.dir).startsWith('..')) return [];
  const out = [];
  for (const hook of HOOKS) {
    const file = join(target.dir, hook);
    if (!existsSync(file) || !isStub(file)) continue;
    const own = existsSync(file + ORIGINAL_SUFFIX) ? file + ORIGINAL_SUFFIX : file;
    out.push('/' + relative(target.top, own).split(sep).join('/'));
  }
  return out;
}

function syncExclude(target, entries) {
  const before = existsSync(target.exclude) ? readFileSync(target.exclude, 'utf8') : null;
  const after = withExcludeBlock(before, entries);
  if (after === before) return;
  if (after === null) unlinkSync(target.exclude);
  else {
    mkdirSync(dirname(target.exclude), { recursive: true });
    writeFileSync(target.exclude, after);
  }
}

/**
 * `info/exclude` text with our block holding `entries` (none: the block removed), such that removing the
 * block gives back the exact text there was before it was added; null = the file should not exist.
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

function isStub(file) {
  try {
    return readFileSync(file, 'utf8').includes(STUB_MARK);
  } catch {
    return false;
  }
}

function writeStub(file, text) {
  writeFileSync(file, text, { mode: 0o755 });
  chmodSync(file, 0o755);
}

function shellQuote(s) {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function samePath(a, b) {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

export async function main(args) {
  const { values } = parseArgs({ args, options: { repo: { type: 'string' }, uninstall: { type: 'boolean', default: false } } });
  if (!values.repo) {
    console.error('usage: npx zx scripts/install-hooks.mjs --repo DIR [--uninstall]');
    return 2;
  }
  if (values.uninstall) {
    const r = await uninstallHooks(values.repo);
    for (const h of r.restored) console.log(`restored ${join(r.dir, h)}`);
    for (const h of r.removed) console.log(`removed ${join(r.dir, h)}`);
    for (const s of r.skipped) console.error(`warning: ${s}`);
    return 0;
  }
  const r = await installHooks(values.repo);
  for (const h of r.installed) console.log(`installed ${join(r.dir, h)}`);
  for (const h of r.chained) console.log(`installed ${join(r.dir, h)} (the hook that was there runs first)`);
  for (const h of r.updated) console.log(`updated ${join(r.dir, h)}`);
  if (r.unchanged.length) console.log(`unchanged: ${r.unchanged.join(', ')} in ${r.dir}`);
  for (const s of r.skipped) console.error(`warning: ${s}`);
  return r.skipped.length ? 1 : 0;
}

// Runs only when executed (`npx zx scripts/install-hooks.mjs`, `node scripts/install-hooks.mjs`), not when imported.
const self = fileURLToPath(import.meta.url);
const at = process.argv.slice(1, 3).findIndex((a) => samePath(resolve(a), self));
if (at !== -1) {
  main(process.argv.slice(at + 2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`install-hooks: ${err.stderr?.trim() || err.message}`);
      process.exitCode = 1;
    },
  );
}

// `claude-fallback statusline`: for Claude Code's `statusLine` setting. Prints the line the running proxy keeps
// in the repository's run file (`<git common dir>/fallback-proxy.run`, line 3; proxy/run/run-file.ts), or says no
// proxy runs. Plain JavaScript with only node:fs, and no git process: the git dir is found by walking up from the
// directory Claude Code names on stdin (`workspace.current_dir`) or the current one, the way git finds `.git`.
// Whether the proxy lives is the one check of proxy/git/process-identity.mjs (pid, start time, not a zombie).
// `claude-fallback -- claude` uses scripts/cli/statusline.sh instead, which does the same without node.

import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { packageFile } from '../../proxy/package-root.mjs';
import { isAlive } from '../../proxy/git/process-identity.mjs';

const USAGE = `usage: claude-fallback statusline [--file PATH] [--repo DIR] [--settings]

For Claude Code's statusLine setting (it pipes its session JSON on stdin). Prints one line:
the tier answering (and, on a fallback, why and when the primary is expected back),
Claude's 5h/7d utilisation when known, today's cost. \`claude-fallback -- claude\` sets it up
by itself; to have it in every Claude Code session, put what --settings prints into
~/.claude/settings.json (it runs without node: a few ms per call instead of ~50).
  --file PATH   read this run file (default: <git common dir>/fallback-proxy.run)
  --repo DIR    the repository (default: Claude Code's directory from stdin, else the current one)
  --settings    print the statusLine setting for settings.json`;

const SCRIPT = packageFile('scripts', 'cli', 'statusline.sh');

export const NO_PROXY = 'claude-fallback: no proxy running for this repository';

/** The git dir for `dir`: the first `.git` up the tree, a directory or a `gitdir: …` file (linked worktree). */
export function findGitDir(dir) {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    try {
      const st = statSync(dotGit);
      if (st.isDirectory()) return dotGit;
      const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) return isAbsolute(m[1].trim()) ? m[1].trim() : resolve(d, m[1].trim());
    } catch {
      // not here
    }
    if (dirname(d) === d) return null;
  }
}

/** A git dir's common dir: its `commondir` file's (a linked worktree), else itself. */
export function commonDirOf(gitDir) {
  try {
    const c = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    return isAbsolute(c) ? c : resolve(gitDir, c);
  } catch {
    return gitDir;
  }
}

/** The status line of a run file (line 3) while its proxy lives, or NO_PROXY. */
export function lineFrom(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return NO_PROXY;
  }
  const [first = '', , line] = text.split('\n');
  const [pid, start] = first.split(' ');
  return /^\d+$/.test(pid) && start && line && isAlive({ pid: Number(pid), start }) ? line : NO_PROXY;
}

function readStdin() {
  if (process.stdin.isTTY) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export async function main(argv) {
  let file;
  let repo;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a === '--settings') {
      const quoted = `'${SCRIPT.replace(/'/g, `'\\''`)}'`;
      process.stdout.write(
        JSON.stringify({ statusLine: { type: 'command', command: `sh ${quoted}`, refreshInterval: 5 } }, null, 2) + '\n',
      );
      return 0;
    } else if (a === '--file' && argv[i + 1]) file = argv[++i];
    else if (a === '--repo' && argv[i + 1]) repo = argv[++i];
    else {
      process.stderr.write(`claude-fallback statusline: unknown argument ${a}\n${USAGE}\n`);
      return 2;
    }
  }
  const input = readStdin();
  if (!file) {
    let dir = repo;
    if (!dir) {
      try {
        const session = JSON.parse(input);
        dir = session?.workspace?.current_dir ?? session?.cwd;
      } catch {
        // no session JSON (run by hand)
      }
    }
    const gitDir = findGitDir(dir || process.cwd());
    if (!gitDir) {
      process.stdout.write('claude-fallback: not in a git repository\n');
      return 0;
    }
    file = join(commonDirOf(gitDir), 'fallback-proxy.run');
  }
  process.stdout.write(lineFrom(file) + '\n');
  return 0;
}

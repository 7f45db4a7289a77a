// `claude-fallback trace --format agent-trace [REV]`: the attribution notes of REV (a commit, default HEAD, or a
// range such as main..HEAD) as Agent Trace v0.1 records, one JSON object a line (proxy/blame/agent-trace.ts).

import { readFileSync } from 'node:fs';
import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import { EXIT } from '../exit-codes.ts';
import { git } from '../git/git.ts';
import { packageFile } from '../package-root.mjs';
import { toAgentTrace } from '../blame/agent-trace.ts';
import { readNotes } from '../attribution/read.ts';
import { NOTES_REF } from '../attribution/note-format.ts';

export const TRACE_HELP = `usage: claude-fallback trace [--format agent-trace] [--repo DIR] [REV]

  The attribution of REV (a commit, default HEAD; or a range git rev-list takes, such as
  main..HEAD) from its notes (${NOTES_REF}) as Agent Trace v0.1 records
  (https://github.com/cursor/agent-trace), one JSON object a line, oldest commit first. A commit
  without a note (no model wrote a line of it) has no record.
  --format F  agent-trace (the only format so far, and the default)
  --repo DIR  the repository (default: the one of the current directory)
  -h, --help  this help`;

export async function runTrace(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { format: { type: 'string', default: 'agent-trace' } }, TRACE_HELP, true);
  if (!args) return EXIT.ok;
  const { values, positionals } = args;
  if (values.format !== 'agent-trace') throw new CliError(`--format ${values.format}: the formats are: agent-trace`, EXIT.usage);
  if (positionals.length > 1) throw new CliError(`one REV at most (got ${positionals.join(' ')})\n\n${TRACE_HELP}`, EXIT.usage);
  const repo = await findRepo(values.repo ?? process.cwd());
  const rev = positionals[0] ?? 'HEAD';
  const range = rev.includes('..');
  // %H and %cI per commit, NUL-separated; a single REV is one commit (no walk).
  const r = await git(repo.top, ['log', '-z', '--format=%H %cI', ...(range ? ['--reverse'] : ['--no-walk']), rev, '--'], { reject: false });
  if (r.exitCode !== 0) throw new CliError(`${rev}: not a commit or range git knows (${r.stderr.trim().split('\n')[0]})`, EXIT.usage);
  const commits = r.stdout
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const [sha, date] = l.split(' ');
      return { sha, date };
    });
  const notes = await readNotes(
    repo.top,
    commits.map((c) => c.sha),
  );
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { name: string; version: string };
  const tool = { name: pkg.name, version: pkg.version };
  let n = 0;
  for (const c of commits) {
    const note = notes.get(c.sha);
    if (!note) continue;
    process.stdout.write(JSON.stringify(toAgentTrace(c.sha, c.date, note, tool)) + '\n');
    n += 1;
  }
  if (n === 0) process.stderr.write(`no attribution note on ${range ? `any commit of ${rev}` : rev} (${NOTES_REF})\n`);
  return EXIT.ok;
}

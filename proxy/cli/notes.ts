// `claude-fallback push-notes [REMOTE]` and `fetch-notes [REMOTE]`: the attribution notes to and from a remote
// (proxy/git/notes-remote.ts; docs/git.md, "Notes travel").

import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import { EXIT } from '../exit-codes.ts';
import { fetchNotes, NotesError, pushNotes } from '../git/notes-remote.ts';
import { NOTES_REF } from '../attribution/note-format.ts';

const HELP = {
  'push-notes': `usage: claude-fallback push-notes [REMOTE] [--repo DIR]

  Pushes the attribution notes (${NOTES_REF}) to REMOTE (default: the current branch's
  remote, else origin, else the only one). When the remote's notes moved on (another clone
  pushed), fetches and merges them first (as fetch-notes), then pushes.
  --repo DIR  the repository (default: the one of the current directory)
  -h, --help  this help`,
  'fetch-notes': `usage: claude-fallback fetch-notes [REMOTE] [--repo DIR]

  Fetches REMOTE's attribution notes into refs/notes/remotes/REMOTE/claude-fallback and merges
  them into yours (${NOTES_REF}) with git notes merge -s ours: notes only the remote has are
  added, and where both have a note on the same commit yours is kept. Nothing of yours is lost.
  --repo DIR  the repository (default: the one of the current directory)
  -h, --help  this help`,
};

export async function runNotes(sub: 'push-notes' | 'fetch-notes', argv: string[]): Promise<number> {
  const args = parseCommand(argv, {}, HELP[sub], true);
  if (!args) return EXIT.ok;
  const { values, positionals } = args;
  if (positionals.length > 1) throw new CliError(`one REMOTE at most (got ${positionals.join(' ')})\n\n${HELP[sub]}`, EXIT.usage);
  const repo = await findRepo(values.repo ?? process.cwd());
  try {
    if (sub === 'push-notes') {
      const r = await pushNotes(repo.top, positionals[0]);
      process.stdout.write(
        r.pushed
          ? `pushed ${NOTES_REF} to ${r.remote}${r.fetchedFirst ? ` (after merging the notes ${r.remote} had)` : ''}\n`
          : `no attribution notes here yet (${NOTES_REF}): nothing to push\n`,
      );
    } else {
      const r = await fetchNotes(repo.top, positionals[0]);
      const what = {
        created: `fetched ${r.remote}'s notes into ${NOTES_REF}`,
        merged: `merged ${r.remote}'s notes into ${NOTES_REF} (yours kept where both had one)`,
        'up to date': `${NOTES_REF} already has everything ${r.remote} has`,
        none: `${r.remote} has no attribution notes yet`,
      }[r.merged];
      process.stdout.write(what + '\n');
    }
  } catch (err) {
    if (err instanceof NotesError) throw new CliError(err.message, EXIT.failed);
    throw err;
  }
  return EXIT.ok;
}

// `claude-fallback blame [--rev REV] [--json] FILE`: git blame with each line's model or the person, from the
// attribution notes (proxy/blame/), coloured per model as on the dashboard.

import { resolve } from 'node:path';
import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import { EXIT } from '../exit-codes.ts';
import { blameFile, BlameError } from '../blame/blame.ts';
import { blameJson, renderBlame, terminalChalk } from '../blame/render.ts';

export const BLAME_HELP = `usage: claude-fallback blame [--rev REV] [--json] [--repo DIR] FILE

  Each line of FILE with the commit that added it and who wrote it there: the model (its tier
  name, the same label as the Model: trailer; "<tier>+person" where a model's and the person's
  edits could not be told apart) or "person". From the attribution notes in
  refs/notes/claude-fallback (and the copies a fetch brought, refs/notes/remotes/*/); a line
  no note covers is the person's.
  --rev REV   blame the file as it is in REV (default: the work tree, as git blame does)
  --json      one object: {file, rev, lines: [{line, commit, orig_line, orig_path,
              contributor: {type, tier?, model_id?}, content}], summary: [{who, model, type, lines}]}
  --repo DIR  the repository (default: the one of the current directory)
  -h, --help  this help
  Colour per model as on the dashboard, only on a terminal and never with NO_COLOR.`;

export async function runBlame(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { rev: { type: 'string' }, json: { type: 'boolean', default: false } }, BLAME_HELP, true);
  if (!args) return EXIT.ok;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new CliError(`say which file to blame (one FILE)\n\n${BLAME_HELP}`, EXIT.usage);
  const repo = await findRepo(values.repo ?? process.cwd());
  const file = positionals[0];
  let lines;
  try {
    lines = await blameFile(repo.top, resolve(process.cwd(), file), { rev: values.rev });
  } catch (err) {
    if (err instanceof BlameError) throw new CliError(`${file}: ${err.message}`, EXIT.failed);
    throw err;
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(blameJson(file, values.rev ?? null, lines), null, 2) + '\n');
    return EXIT.ok;
  }
  process.stdout.write(
    renderBlame(lines, terminalChalk({ isTTY: Boolean(process.stdout.isTTY), env: process.env }), await tierOrder(repo.top)),
  );
  return EXIT.ok;
}

/** The config's tier names, for the dashboard's colour order; none when there is no readable config. */
async function tierOrder(top: string): Promise<string[]> {
  try {
    const { readConfig } = await import('../review/repo-state.ts');
    return (await readConfig(top, undefined, process.env)).tiers.map((t) => t.name);
  } catch {
    return [];
  }
}

// `claude-fallback hooks install|uninstall [--repo DIR]`: proxy/git/install-hooks.mjs for any repository (the
// one of the current directory by default).

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import type { Runtime } from './runtime.ts';
import { EXIT } from '../exit-codes.ts';

export const HOOKS_HELP = `usage: claude-fallback hooks install|uninstall [--share-notes] [--repo DIR]

  install     puts the hooks that stamp Model: trailers and move run tags into the repository
              (core.hooksPath and husky's .husky/ honoured); a hook already there keeps
              running first. Installing twice changes nothing. Then offers to make the
              attribution notes travel with the remote's git fetch and git push: on a terminal
              it asks; otherwise it prints the git config lines to run. It never edits the
              remote's config without a yes.
  --share-notes  add those refspecs without asking (install only)
  uninstall   removes them and puts back every hook that was there, byte for byte.
  --repo DIR  the repository (default: the one of the current directory)
  -h, --help  this help`;

export async function runHooks(argv: string[], rt: Runtime): Promise<number> {
  const args = parseCommand(argv, { 'share-notes': { type: 'boolean', default: false } }, HOOKS_HELP, true);
  if (!args) return 0;
  const { values, positionals } = args;
  const [action, ...extra] = positionals;
  if ((action !== 'install' && action !== 'uninstall') || extra.length > 0)
    throw new CliError(`hooks: say install or uninstall${action ? ` (got ${positionals.join(' ')})` : ''}\n\n${HOOKS_HELP}`, EXIT.usage);
  const repo = await findRepo(values.repo ?? process.cwd());
  // A path computed at run time: the script stays outside the bundle, next to the hooks/ it installs.
  const script = (await import(pathToFileURL(join(rt.root, 'proxy', 'git', 'install-hooks.mjs')).href)) as {
    main(argv: string[]): Promise<number>;
  };
  const code = await script.main(['--repo', repo.top, ...(action === 'uninstall' ? ['--uninstall'] : [])]);
  if (action === 'install') await offerNotesRefspecs(repo.top, values['share-notes'] === true);
  return code;
}

/**
 * The notes refspecs for the default remote: added when the command line says so or the person answers yes on a
 * terminal; else the `git config` lines are printed. Nothing when there is no remote or they are there already.
 */
async function offerNotesRefspecs(top: string, share: boolean): Promise<void> {
  const { commandLine, defaultRemote, missingRefspecs } = await import('../git/notes-remote.ts');
  const { git } = await import('../git/git.ts');
  const remote = await defaultRemote(top);
  if (!remote) return;
  const missing = await missingRefspecs(top, remote);
  if (missing.length === 0) return;
  const lines = missing.map((a) => `  ${commandLine(a)}`).join('\n');
  const what = `The attribution notes (refs/notes/claude-fallback) stay in this clone unless ${remote}'s fetch and push carry them:\n${lines}\n`;
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (!share && interactive) share = await ask(`${what}Add these to .git/config now? [y/N] `);
  if (!share) {
    process.stdout.write(
      interactive
        ? 'Left as it is; run the lines above to share the notes later.\n'
        : `${what}Run these lines to share them (or: claude-fallback push-notes / fetch-notes).\n`,
    );
    return;
  }
  for (const a of missing) await git(top, a);
  process.stdout.write(
    `${remote}'s git fetch and git push now carry the attribution notes (git fetch lands them in refs/notes/remotes/${remote}/claude-fallback; claude-fallback fetch-notes merges them into yours)\n`,
  );
}

async function ask(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

// `claude-fallback hooks install|uninstall [--repo DIR]`: proxy/git/install-hooks.mjs for any repository (the
// one of the current directory by default).

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import type { Runtime } from './runtime.ts';
import { EXIT } from '../exit-codes.ts';

export const HOOKS_HELP = `usage: claude-fallback hooks install|uninstall [--repo DIR]

  install     puts the hooks that stamp Model: trailers and move run tags into the repository
              (core.hooksPath and husky's .husky/ honoured); a hook already there keeps
              running first. Installing twice changes nothing.
  uninstall   removes them and puts back every hook that was there, byte for byte.
  --repo DIR  the repository (default: the one of the current directory)
  -h, --help  this help`;

export async function runHooks(argv: string[], rt: Runtime): Promise<number> {
  const args = parseCommand(argv, {}, HOOKS_HELP, true);
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
  return script.main(['--repo', repo.top, ...(action === 'uninstall' ? ['--uninstall'] : [])]);
}

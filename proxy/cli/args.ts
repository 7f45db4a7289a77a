// A subcommand's arguments: its own options plus --repo and -h, a usage error (exit 2) that shows the help, and
// the help printed when asked (null then: the subcommand is done).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from '../exit-codes.ts';
import { CliError } from './repo.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON = { repo: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } as const;

export function parseCommand<O extends Options, P extends boolean = false>(argv: string[], options: O, help: string, allowPositionals?: P) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, ...COMMON },
      allowPositionals: (allowPositionals ?? false) as P,
      strict: true,
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${help}`, EXIT.usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help + '\n');
    return null;
  }
  return parsed;
}

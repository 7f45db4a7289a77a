// `claude-fallback <subcommand>`: picks the subcommand and loads only its module (a status call should not
// pay for the proxy's code). Plain `claude-fallback` and `claude-fallback -- cmd` are `start`. Errors are one
// line on stderr and an exit code: 1 failed, 2 bad arguments, 3 cannot run here (no repository, no proxy).

import type { Runtime } from '../../proxy/cli/runtime.ts';
import { CliError } from '../../proxy/cli/repo.ts';
import { EXIT } from '../../proxy/exit-codes.ts';

export const HELP = `usage: claude-fallback [subcommand] [options]      (claude-fallback <subcommand> -h for more)

Keeps Claude Code working through Anthropic's rate and usage limits: a local proxy for the
git repository you are in that falls back to other models, and records who wrote what.

  claude-fallback -- claude      the everyday way: Claude Code with the proxy and its status line

  start [-- command…]   run the proxy (the default subcommand)
  status [--json]       is a proxy running here, which tier answers, cooldowns, Claude's limits,
                        today's requests, tokens and cost by model
  stop                  stop this repository's proxy
  retry [TIER]          lift a tier's cooldown so the next request tries it
  doctor                check the config, keys, tiers' reachability, hooks, ledger and git
  trust [--revoke]      run this repository's .fallbackrc.yaml as written (it is cut down until then)
  statusline            the line for Claude Code's statusLine setting
  review …              what each model did: analyze, show, accept, rollback, log, costs
  blame FILE            git blame with each line's model or the person (--json)
  trace [REV]           the attribution of REV as Agent Trace records (--format agent-trace)
  push-notes [REMOTE]   push the attribution notes (refs/notes/claude-fallback)
  fetch-notes [REMOTE]  fetch them and merge them into yours (yours win where both have one)
  hooks install|uninstall   the git hooks, in any repository; install offers to make the notes
                        travel with the remote's fetch and push

Every subcommand takes --repo DIR (default: the repository of the current directory).`;

const SUBCOMMANDS = [
  'start',
  'status',
  'stop',
  'retry',
  'doctor',
  'trust',
  'review',
  'blame',
  'trace',
  'push-notes',
  'fetch-notes',
  'hooks',
  'help',
] as const;

/** `startMode`: 'script' when `npx zx scripts/start.mjs` runs the start (proxy/cli/start.ts, StartMode). */
export async function main(argv: string[], rt: Runtime, opts: { startMode?: 'cli' | 'script' } = {}): Promise<number | null> {
  const first = argv[0];
  if (first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (first === '--version' || first === '-V') {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    // How this installation runs its TypeScript, too: dist (the bundle), native (Node's type stripping) or tsx.
    process.stdout.write(
      `${(JSON.parse(readFileSync(join(rt.root, 'package.json'), 'utf8')) as { version: string }).version} (${rt.kind}, node ${process.versions.node})\n`,
    );
    return 0;
  }
  const named = (SUBCOMMANDS as readonly string[]).includes(first ?? '');
  if (first !== undefined && !named && !first.startsWith('-')) {
    process.stderr.write(
      `claude-fallback: unknown subcommand "${first}" (subcommands: ${[...SUBCOMMANDS.filter((s) => s !== 'help'), 'statusline'].join(', ')}; to run a command: claude-fallback -- ${first})\n`,
    );
    return EXIT.usage;
  }
  const sub = named ? first : 'start';
  const rest = named ? argv.slice(1) : argv;
  try {
    switch (sub) {
      case 'start':
        return await (await import('../../proxy/cli/start.ts')).runStart(rest, rt, opts.startMode);
      case 'status':
        return await (await import('../../proxy/cli/status.ts')).runStatus(rest);
      case 'stop':
        return await (await import('../../proxy/cli/stop.ts')).runStop(rest);
      case 'retry':
        return await (await import('../../proxy/cli/retry.ts')).runRetry(rest);
      case 'doctor':
        return await (await import('../../proxy/cli/doctor.ts')).runDoctor(rest, rt);
      case 'trust':
        return await (await import('../../proxy/cli/trust.ts')).runTrust(rest);
      case 'review':
        return await (await import('../../proxy/cli/review.ts')).runReview(rest);
      case 'blame':
        return await (await import('../../proxy/cli/blame.ts')).runBlame(rest);
      case 'trace':
        return await (await import('../../proxy/cli/trace.ts')).runTrace(rest);
      case 'push-notes':
      case 'fetch-notes':
        return await (await import('../../proxy/cli/notes.ts')).runNotes(sub, rest);
      case 'hooks':
        return await (await import('../../proxy/cli/hooks.ts')).runHooks(rest, rt);
    }
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`claude-fallback ${sub}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`claude-fallback ${sub}: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  }
  return EXIT.usage;
}

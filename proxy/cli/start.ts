// `claude-fallback [start] [options] [-- command…]`: the proxy for the repository, in the foreground, or for
// as long as a command runs. With a command (`claude-fallback -- claude`) the command starts at once in the
// repository's directory and owns the terminal; the proxy's log goes to `<git dir>/fallback-proxy.log`, whose
// path is the one line printed before the command starts.
//
// Start-up: this process checks the config, refuses when a proxy runs for any worktree of the repository (one proxy
// per repository, docs/git.md), binds the listening socket, starts the proxy process with the socket as an
// inherited file descriptor, claims the repository's run file for it (the proxy fills it in once it listens), then starts the command without waiting for
// the proxy to load (~0.2 s on Node 20). In the foreground the export line waits until the proxy listens. A request that comes before the proxy is ready waits in the kernel's accept queue
// until the proxy listens; none is refused. Hooks are installed by a short-lived process of their own
// meanwhile. On Windows (no descriptors to inherit) the proxy binds the port itself and the command waits for it.
//
// `npx zx scripts/start.mjs` is the same start (mode 'script', same options and parsing), with the design's terminal
// output: the proxy logs to the terminal (no log file) even with a command, the hooks are installed before the
// export line, and the export line, the dashboard line and the tier table come before the command starts. The
// hooks watcher (re-chaining when husky resets core.hooksPath) runs in the proxy process for both
// (proxy/cli/hooks-watch.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, renameSync, statSync } from 'node:fs';
import { createServer, type Server as NetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { PROXY_NODE_FLAGS } from '../node-flags.ts';
import { CliError, findRepo, logFilePath, type Repo } from './repo.ts';
import { proxyUrl, repositoryProxy } from './proxy-file.ts';
import { processIdentity } from '../git/process-identity.mjs';
import { claimRun, ProxyRunningError, releaseRun } from '../run/active-run.ts';
import { runFilePath } from '../run/run-file.ts';
import { isClaude, withStatusLine } from './claude-settings.ts';
import type { Runtime } from './runtime.ts';
import type { FromProxy, ToProxy } from './proxy-ipc.ts';

export const START_HELP = `usage: claude-fallback [start] [--repo DIR] [--config FILE] [--port N] [--verbose] [--no-hooks] [-- command…]

Runs the fallback proxy for the git repository of the current directory.
Without a command it runs in the foreground (log on stderr; Ctrl-C stops it) and prints
  export ANTHROPIC_BASE_URL=http://127.0.0.1:8000
With a command, e.g. \`claude-fallback -- claude\`, it runs the command in the repository's
directory with ANTHROPIC_BASE_URL set and stops when the command exits; the command owns the
terminal and the proxy logs to <git dir>/fallback-proxy.log. Claude Code gets the proxy's
status line (a status line you already have is kept and shown above it).

  --repo DIR      the repository (default: the one of the current directory)
  --config FILE   the configuration (default: DIR/.fallbackrc.yaml, else the tool's own)
  --port N        listen on N instead of proxy.port (0 takes a free port)
  --verbose       log translation warnings too (never keys or bodies)
  --no-hooks      do not install the git hooks into the repository
  -h, --help      this help`;

const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export type StartArgs = {
  repo?: string;
  config?: string;
  port?: number;
  verbose: boolean;
  noHooks: boolean;
  help: boolean;
  command: string[];
};

export function parseStartArgs(argv: string[]): StartArgs {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      options: {
        repo: { type: 'string' },
        config: { type: 'string' },
        port: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        'no-hooks': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${START_HELP}`, 2);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new CliError(`--port ${values.port}: not a port number (0 to 65535)`, 2);
  }
  if (split !== -1 && command.length === 0)
    throw new CliError('nothing after --: give the command to run, e.g. claude-fallback -- claude', 2);
  return {
    repo: values.repo,
    config: values.config,
    port,
    verbose: values.verbose!,
    noHooks: values['no-hooks']!,
    help: values.help!,
    command,
  };
}

function bind(host: string, port: number): Promise<NetServer> {
  return new Promise((done, fail) => {
    // Nothing connects before the command starts (no one knows the port yet); a stray client that does in
    // the few milliseconds before the socket is handed over is closed, not kept hanging.
    const server = createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'EADDRINUSE'
          ? new CliError(`port ${port} on ${host} is already in use (another proxy running? pick one with --port)`)
          : new CliError(`cannot listen on ${host}:${port}: ${err.message}`),
      ),
    );
    server.listen({ host, port, exclusive: true }, () => done(server));
  });
}

function openLog(repo: Repo): { path: string; fd: number } {
  const path = logFilePath(repo);
  try {
    if (statSync(path).size > LOG_ROTATE_BYTES) renameSync(path, path + '.1');
  } catch {
    // no log yet
  }
  return { path, fd: openSync(path, 'a', 0o600) };
}

/** Resolves when the proxy listens; throws its error when it could not start. */
function readyOrFailed(proxy: ChildProcess): Promise<void> {
  return new Promise((done, fail) => {
    const onMessage = (m: FromProxy) => {
      if (m.type === 'ready') done();
      if (m.type === 'failed') fail(new CliError(m.message));
    };
    proxy.on('message', onMessage);
    proxy.once('exit', () => fail(new CliError('the proxy stopped while starting (see its log)')));
  });
}

const signalCode = (signal: NodeJS.Signals | null, code: number | null) =>
  code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1);

/** 'cli': `claude-fallback [start]`; 'script': `npx zx scripts/start.mjs` (see the top of this file). */
export type StartMode = 'cli' | 'script';

export async function runStart(argv: string[], rt: Runtime, mode: StartMode = 'cli'): Promise<number | null> {
  const args = parseStartArgs(argv);
  if (args.help) {
    process.stdout.write(START_HELP + '\n');
    return 0;
  }
  const script = mode === 'script';
  // git finds the repository while the config module loads (it is this process's largest import).
  const [repo, { loadStartConfig }] = await Promise.all([findRepo(args.repo ?? process.cwd()), import('./start-config.ts')]);
  const config: Config = loadStartConfig(args.config, repo.top, args.command.length > 0 && !script);
  if (args.port !== undefined) config.proxy.port = args.port;
  if (config.tiers.length === 0)
    throw new CliError(`${config.file}: every tier was skipped (${config.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`);
  refuseIfRunning(repo);
  const withCommand = args.command.length > 0;
  const server = await bind(config.proxy.host, config.proxy.port);
  const port = (server.address() as { port: number }).port;
  const url = proxyUrl(config.proxy.host, port);
  const log = withCommand && !script ? openLog(repo) : null;
  const out = log ? log.fd : 'inherit';
  const handover = process.platform !== 'win32';

  let command: ChildProcess | null = null;
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  if (!handover) await new Promise((done) => server.close(done)); // the proxy binds the port itself
  const proxy = spawn(process.execPath, [...PROXY_NODE_FLAGS, ...rt.nodeArgs, rt.file('proxy-process')], {
    stdio: handover ? ['ignore', out, out, 'ipc', fd] : ['ignore', out, out, 'ipc'],
    // With a command, the terminal's signals (Ctrl-C, Ctrl-Z, a closed window) are the command's business; the
    // proxy stops when the command is done. In the foreground, Ctrl-C is how it stops.
    detached: withCommand,
    env: process.env,
  });
  // The child has its own copy of the socket (its fd 4) from here on: ours closes, the socket stays open.
  if (handover) server.close();
  if (!withCommand) {
    // In the foreground, before anything is printed (a signal may follow the export line at once): Ctrl-C reaches
    // the proxy directly (same process group), which says what it waits for, and a second one stops it; other
    // stops are passed on.
    process.on('SIGINT', () => {});
    for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, () => proxy.kill(s));
  }
  const proxyExit = new Promise<number>((done) =>
    proxy.on('exit', (code, signal) => {
      releaseRun(repo.commonDir, proxy.pid!); // a proxy that died without removing its run file
      done(signalCode(signal, code));
    }),
  );
  // The repository's run file names the proxy before anything else happens: a start in another worktree that
  // raced this one is refused here, on the terminal, before its command runs (docs/git.md, "One proxy per
  // repository"). The proxy takes the file over from this process when it starts.
  const identity = proxy.pid === undefined ? null : processIdentity(proxy.pid);
  try {
    if (!identity) throw new CliError('the proxy process could not start');
    claimRun(repo.commonDir, identity);
  } catch (err) {
    proxy.kill('SIGKILL'); // it has not been told to start: nothing to close
    throw err instanceof ProxyRunningError ? new CliError(err.message) : err;
  }
  // With the socket bound and the repository ours, the command can start: what it sends waits for the proxy
  // (on Windows: after it).
  if (withCommand && handover && !script) command = startCommand(args.command, { repo, url, rt, logPath: log!.path }, proxy);
  let hooks: Promise<void> = Promise.resolve();
  try {
    const launch = { log: log?.path ?? null, launcher: processIdentity(), command: args.command[0] ?? null };
    const hooksSetup = join(rt.root, 'scripts', 'cli', 'hooks-setup.mjs');
    const watch = args.noHooks ? undefined : { setup: hooksSetup, tagPrefix: config.git.tagPrefix };
    proxy.send({
      type: 'start',
      options: {
        repo: repo.top,
        configFile: args.config ? resolve(args.config) : undefined,
        port,
        verbose: args.verbose,
        fd: handover ? 4 : undefined,
        launch,
        hooks: watch,
      },
    } satisfies ToProxy);
    if (!args.noHooks) {
      // Detached with a command: a Ctrl-C meant for the command must not cut the installation short.
      const setup = spawn(process.execPath, [hooksSetup, repo.top, config.git.tagPrefix], {
        stdio: ['ignore', out, out],
        detached: withCommand,
      });
      hooks = new Promise<void>((done) => setup.on('error', () => done()).on('exit', () => done()));
    }
    // In the foreground nothing that looks like success (the export line) is printed before the proxy listens.
    const ready = readyOrFailed(proxy);
    if (!handover || !withCommand || script) await ready;
    else ready.catch((err: Error) => proxyFailed(err, command));
    if (script) await hooks; // the design's order: hooks installed, then the export line
    if (log) closeSync(log.fd); // the children hold it
  } catch (err) {
    proxy.kill('SIGTERM'); // it would wait for a launcher that gave up
    command?.kill('SIGTERM');
    throw err;
  }

  if (!withCommand || script) {
    process.stdout.write(`export ANTHROPIC_BASE_URL=${url}\n`);
    process.stderr.write(`claude-fallback: dashboard ${dashboardUrl(url)}\n`);
  }
  if (!withCommand) {
    const code = await proxyExit;
    await hooks;
    return code;
  }
  command ??= startCommand(args.command, { repo, url, rt, logPath: log?.path ?? null }, proxy);
  const code = await commandExit(command, args.command[0]);
  // The command gave the terminal back (Claude Code's screen is gone): where the proxy was, again, for the dashboard.
  if (log) process.stderr.write(runLine(url, repo.top, log.path) + '\n');

  // The command is done and the terminal is ours again: stop the proxy, and say so if that takes a while.
  process.on('SIGINT', () => proxy.connected && proxy.send({ type: 'stop-now' } satisfies ToProxy));
  proxy.on('message', (m: FromProxy) => {
    if (m.type === 'grace') process.stderr.write(`claude-fallback: ${m.message}\n`);
  });
  if (proxy.connected) proxy.send({ type: 'stop' } satisfies ToProxy);
  else proxy.kill('SIGTERM');
  await proxyExit;
  await hooks;
  return code;
}

/**
 * Refuses a start while a proxy runs for this work tree, or for any worktree of the repository (they share the
 * ledger and the hooks): one proxy per repository (docs/git.md). Nothing has started yet, so the command never runs.
 */
function refuseIfRunning(repo: Repo): void {
  const other = repositoryProxy(repo);
  if (!other) return;
  const { running, file } = other;
  if (file?.repo === repo.top) {
    throw new CliError(
      `a proxy already runs for ${repo.top} (pid ${file.pid}, ${file.url}): use it (ANTHROPIC_BASE_URL=${file.url} claude), or stop it first (claude-fallback stop)`,
    );
  }
  const where = file ? `, in the worktree ${file.repo}` : ' (still starting)';
  const url = file?.url ?? null;
  throw new CliError(
    `a proxy already runs for this repository${where} (pid ${running.pid}${url ? `, ${url}` : ''}): one proxy per repository, whatever the worktree, ` +
      `since the worktrees share the model ledger and the hooks; run your command in ${file ? file.repo : 'that worktree'}${url ? ` (or point it at ANTHROPIC_BASE_URL=${url})` : ''}, ` +
      `or stop that proxy first (claude-fallback stop${file ? ` --repo ${file.repo}` : ''})`,
  );
}

/** The dashboard's address: the proxy's own, at `/`. */
export const dashboardUrl = (url: string): string => `${url}/`;

/** The one line printed before the command takes the terminal, and again when it gives it back. */
export function runLine(url: string, repo: string, logPath: string): string {
  return `claude-fallback: proxy ${url} for ${repo} · dashboard ${dashboardUrl(url)} · log ${logPath}`;
}

/** The proxy failed after the command started: say so on the terminal, and stop the command, which has no proxy. */
function proxyFailed(err: Error, command: ChildProcess | null): void {
  process.stderr.write(`claude-fallback: error: the proxy did not start: ${err.message}${command ? '; stopping the command' : ''}\n`);
  process.exitCode = 1;
  command?.kill('SIGTERM');
}

/**
 * Starts the command in the repository, owning the terminal; Claude Code gets the proxy's status line. The proxy is
 * told the command's process, which it stops if this launcher goes without stopping it (killed, even by SIGKILL):
 * the command would be left talking to a closed port.
 */
function startCommand(
  command: string[],
  ctx: { repo: Repo; url: string; rt: Runtime; logPath: string | null },
  proxy: ChildProcess,
): ChildProcess {
  const [cmd, ...rest] = command;
  let args = rest;
  let note: string | null = null;
  if (isClaude(cmd)) {
    ({ args, note } = withStatusLine(rest, {
      repo: ctx.repo.top,
      script: join(ctx.rt.root, 'scripts', 'cli', 'statusline.sh'),
      file: runFilePath(ctx.repo.commonDir),
      nodeCommand: `"${process.execPath}" "${join(ctx.rt.root, 'bin', 'claude-fallback.mjs')}"`,
    }));
  }
  if (ctx.logPath) process.stderr.write(runLine(ctx.url, ctx.repo.top, ctx.logPath) + '\n');
  if (note) process.stderr.write(`claude-fallback: ${note}\n`);
  const win = process.platform === 'win32';
  const child = spawn(win ? winQuote([cmd, ...args]) : cmd, win ? [] : args, {
    cwd: ctx.repo.top,
    stdio: 'inherit',
    env: { ...process.env, ANTHROPIC_BASE_URL: ctx.url },
    shell: win, // claude is claude.cmd there, which only a shell runs
  });
  const id = child.pid === undefined ? null : processIdentity(child.pid);
  if (id && proxy.connected) proxy.send({ type: 'command', command: id } satisfies ToProxy);
  // Like a shell: the terminal's Ctrl-C and Ctrl-\ go to the command, which decides; other stops are passed on.
  process.on('SIGINT', ignoreSignal);
  process.on('SIGQUIT', ignoreSignal);
  for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, () => child.kill(s));
  return child;
}

const ignoreSignal = () => {};

function commandExit(child: ChildProcess, name: string): Promise<number> {
  return new Promise<number>((done) => {
    child.on('error', (err) => {
      process.stderr.write(`claude-fallback: cannot run ${name}: ${err.message}\n`);
      done(127);
    });
    child.on('exit', (c, signal) => {
      process.off('SIGINT', ignoreSignal);
      done(signalCode(signal, c));
    });
  });
}

/** cmd.exe quoting for the shell: spawn on Windows. */
function winQuote(parts: string[]): string {
  return parts.map((p) => (/^[\w./:\\=-]+$/.test(p) ? p : `"${p.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`)).join(' ');
}

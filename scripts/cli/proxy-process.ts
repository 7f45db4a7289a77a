// The proxy's own process, started by `claude-fallback start` (proxy/cli/start.ts). On Linux and macOS it
// inherits the listening socket the launcher bound (as file descriptor `fd`) and only listens on it once it
// is ready: until then the kernel keeps the connections that come in its accept queue, so Claude Code's first
// request waits instead of being refused. (A listening socket sent over Node's IPC instead starts accepting
// in the receiving process before any code of ours runs, and what it accepts then is lost.) On Windows it
// binds the port itself and the launcher waits for it. Logs go to stderr: the terminal in the foreground,
// `<git dir>/fallback-proxy.log` (with timestamps) when a command owns the terminal.
//
// Stopping (SIGTERM, SIGINT, the launcher's "stop", or the launcher gone): in-flight answers get 5 s, and the
// line saying what it waits for goes to the log and to the launcher; a second request to stop ends them now.
//
// The launcher gone without asking (killed, even by SIGKILL): the proxy stops, and then stops the command the
// launcher ran (it names it in a "command" message), which would be left talking to a closed port. While it runs,
// the hooks watcher (hooks-watch.ts) re-chains the hooks when husky resets core.hooksPath.
//
// IPC: the messages of proxy/cli/proxy-ipc.ts.

import type { App } from '../../proxy/app.ts';
import type { FromProxy, StartOptions, ToProxy } from '../../proxy/cli/proxy-ipc.ts';
import type { ProcessIdentity } from '../../proxy/git/process-identity.mjs';

const GRACE_MS = 5000;
const tty = Boolean(process.stderr.isTTY);
const log = (line: string) => process.stderr.write(tty ? line + '\n' : `${new Date().toISOString()} ${line}\n`);
const send = (m: FromProxy) => {
  if (process.connected) process.send!(m);
};

let app: App | null = null;
let stopAsked: number | null = null; // asked to stop before the proxy was up: the exit code
let closing = false;
let command: ProcessIdentity | null = null; // the launcher's command, stopped when the launcher goes first
let launcherGone = false;

async function start(options: StartOptions): Promise<void> {
  try {
    // Loaded here, not at the top: the message handlers below exist before this module's heavy imports.
    const [{ startApp, loadAppConfigWithTrust }, { trustNotice }, { tierTable }] = await Promise.all([
      import('../../proxy/app.ts'),
      import('../../proxy/trust/load.ts'),
      import('../../proxy/cli/tier-table.ts'),
    ]);
    const loaded = loadAppConfigWithTrust({ repo: options.repo, configFile: options.configFile, port: options.port });
    const config = loaded.config;
    for (const line of trustNotice(loaded)) log(`warning: ${line}`);
    for (const s of config.skipped) log(`warning: tier ${s.name} skipped: ${s.reason}`);
    const handle = options.fd === undefined ? undefined : { fd: options.fd };
    app = await startApp({ repo: options.repo, verbose: options.verbose, log, handle, launch: options.launch }, config);
    log(tierTable(config, 0, tty));
    log(`repository ${options.repo}; ledger ${app.ledgerPath}; config ${config.file}; pid ${process.pid}`);
    if (options.hooks) {
      const [{ watchHooks }, { gitCommonDir }] = await Promise.all([
        import('../../proxy/cli/hooks-watch.ts'),
        import('../../proxy/git/git.ts'),
      ]);
      watchHooks({ repo: options.repo, commonDir: await gitCommonDir(options.repo), ...options.hooks });
    }
    send({ type: 'ready', port: app.port });
    if (stopAsked !== null) void stop(stopAsked);
  } catch (err) {
    log(`error: ${(err as Error).message}`);
    send({ type: 'failed', message: (err as Error).message });
    process.exit(1);
  }
}

async function stop(code = 0): Promise<void> {
  if (!app) {
    stopAsked ??= code;
    return;
  }
  if (closing) return stopNow();
  closing = true;
  const n = app.proxy.inflight();
  if (n > 0) {
    const message = `stopping: waiting up to ${GRACE_MS / 1000} s for ${n} answer${n === 1 ? '' : 's'} still streaming to finish; Ctrl-C again to stop now`;
    log(message);
    send({ type: 'grace', message });
  }
  await app.proxy.close(GRACE_MS);
  log('stopped');
  if (launcherGone) await stopCommand();
  process.exit(code);
}

function stopNow(): void {
  if (!app) return process.exit(130);
  log('stopping now: cutting the answers still streaming');
  app.proxy.server.closeAllConnections(); // close() then finishes at once and still writes the stop line
}

/** The launcher's command, when the launcher went without stopping it: SIGTERM, and the way it goes. */
async function stopCommand(): Promise<void> {
  if (!command) return;
  const { isAlive } = await import('../../proxy/git/process-identity.mjs');
  if (!isAlive(command)) return;
  log(`stopping the command the launcher ran (pid ${command.pid}): the launcher is gone`);
  try {
    process.kill(command.pid, 'SIGTERM');
  } catch {}
}

process.on('message', (m: ToProxy) => {
  if (m.type === 'start') void start(m.options);
  else if (m.type === 'command') command = m.command;
  else if (m.type === 'stop') void stop();
  else if (m.type === 'stop-now') {
    if (!closing) void stop();
    stopNow();
  }
});
process.on('SIGTERM', () => void stop(143));
process.on('SIGINT', () => void stop(130));
process.on('SIGHUP', () => void stop(129));
// The launcher is gone (killed, its terminal closed): nobody will ever ask this proxy to stop.
process.on('disconnect', () => {
  launcherGone = true;
  void stop();
});

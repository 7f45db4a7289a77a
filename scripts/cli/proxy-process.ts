// The proxy's own process, started by `claude-fallback start` (scripts/cli/start.ts). It gets the listening
// socket the launcher bound over IPC, so Claude Code could already connect while this loads: its first
// request waits instead of being refused. Node starts accepting on a received socket at once, so the
// connections accepted before the proxy is up are held and handed to it when it is; and the proxy's code is
// imported only after the message handler exists, so the socket's message cannot come before it. Logs go to stderr, which is the terminal in
// the foreground and `<git dir>/fallback-proxy.log` (with timestamps) when a command owns the terminal.
//
// Stopping (SIGTERM, SIGINT, the launcher's "stop", or the launcher gone): in-flight answers get 5 s, and the
// line saying what it waits for goes to the log and to the launcher; a second request to stop ends them now.
//
// IPC: in {type:"start", options} + the listening socket; {type:"socket"} + a connection the launcher
//      accepted before it let go of the listening socket; {type:"stop"}; {type:"stop-now"}.
//      out {type:"ready", port}; {type:"failed", message}; {type:"grace", message}.

import type { Server as NetServer, Socket } from 'node:net';
import type { App } from '../../proxy/app.ts';

export type StartOptions = { repo: string; configFile?: string; port?: number; verbose: boolean };
export type ToProxy = { type: 'start'; options: StartOptions } | { type: 'socket' } | { type: 'stop' } | { type: 'stop-now' };
export type FromProxy = { type: 'ready'; port: number } | { type: 'failed'; message: string } | { type: 'grace'; message: string };

const GRACE_MS = 5000;
const tty = Boolean(process.stderr.isTTY);
const log = (line: string) => process.stderr.write(tty ? line + '\n' : `${new Date().toISOString()} ${line}\n`);
const send = (m: FromProxy) => {
  if (process.connected) process.send!(m);
};

let app: App | null = null;
const early: Socket[] = []; // connections accepted before the proxy was up
let stopAsked: number | null = null; // asked to stop before the proxy was up: the exit code
let closing = false;

async function start(options: StartOptions, handle: NetServer | undefined): Promise<void> {
  const hold = (socket: Socket) => early.push(socket);
  handle?.on('connection', hold);
  try {
    const [{ startApp, loadAppConfig }, { tierTable }] = await Promise.all([import('../../proxy/app.ts'), import('./tier-table.ts')]);
    const config = loadAppConfig({ repo: options.repo, configFile: options.configFile, port: options.port });
    for (const s of config.skipped) log(`warning: tier ${s.name} skipped: ${s.reason}`);
    app = await startApp({ repo: options.repo, verbose: options.verbose, log, handle }, config);
    handle?.off('connection', hold);
    for (const socket of early.splice(0)) app.proxy.server.emit('connection', socket); // they wait no longer
    log(tierTable(config, 0, tty));
    log(`repository ${options.repo}; ledger ${app.ledgerPath}; config ${config.file}; pid ${process.pid}`);
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
  process.exit(code);
}

function stopNow(): void {
  if (!app) return process.exit(130);
  log('stopping now: cutting the answers still streaming');
  app.proxy.server.closeAllConnections(); // close() then finishes at once and still writes the stop line
}

process.on('message', (m: ToProxy, handle?: NetServer | Socket) => {
  if (m.type === 'start') void start(m.options, handle as NetServer | undefined);
  else if (m.type === 'socket' && handle) {
    if (app) app.proxy.server.emit('connection', handle);
    else early.push(handle as Socket);
  }
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
process.on('disconnect', () => void stop());

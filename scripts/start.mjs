#!/usr/bin/env zx
// Starts the fallback proxy for a repository: loads the config, installs the git hooks, listens, prints
// `export ANTHROPIC_BASE_URL=…` and the tiers; with `-- command…` runs that command against it.
// Usage: npx zx scripts/start.mjs [--repo DIR] [--config FILE] [--port N] [--verbose] [-- command…]

import { parseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { $, chalk } from 'zx';
import { register } from 'tsx/esm/api';
import { mainArgs } from './main-module.mjs';
import { nodeTooOld } from './node-version.mjs';

// Checked before tsx is registered or the proxy loads: a clear line instead of a stack trace on an old Node.
const tooOld = nodeTooOld();
if (tooOld) {
  console.error(`error: ${tooOld}`);
  process.exit(1);
}

// The proxy is TypeScript; tsx lets this script load it on Node 20 (Node ≥ 22.18 could strip types itself).
register();

const USAGE = `usage: npx zx scripts/start.mjs [--repo DIR] [--config FILE] [--port N] [--verbose] [--no-hooks] [-- command…]

  --repo DIR      the git repository to watch (default: the repository of the current directory)
  --config FILE   the configuration (default: DIR/.fallbackrc.yaml, else the project's own)
  --port N        listen on N instead of proxy.port (0 takes a free port)
  --verbose       log translation warnings too (never keys or bodies with secrets)
  --no-hooks      do not install the git hooks into DIR
  -- command…     run the command with ANTHROPIC_BASE_URL set, stop when it exits (e.g. -- claude)`;

export function parseStartArgs(argv) {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parseArgs({
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
  });
  let port;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port number (0 to 65535)`);
  }
  return { ...values, port, command };
}

async function repoTop(dir) {
  const r = await $({ cwd: dir, quiet: true, nothrow: true })`git rev-parse --show-toplevel`;
  if (r.exitCode !== 0) throw new Error(`${dir} is not inside a git repository: run this in your project, or pass --repo DIR`);
  return r.stdout.trim();
}

function tierTable(config, active, safeUrl) {
  // safeUrl: no user:password@ or ?key= on the terminal.
  const rows = config.tiers.map((t, i) => [i === active ? chalk.green('active') : 'ready', t.name, t.protocol, t.model ?? '(client model)', safeUrl(t.baseUrl).replace(/\/$/, '')]);
  for (const s of config.skipped) rows.push([chalk.yellow('skipped'), s.name, '', s.reason, '']);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => stripAnsi(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c < 4 ? cell + ' '.repeat(widths[c] - stripAnsi(cell).length) : cell)).join('  ')).join('\n');
}

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

let stopping = false;
let command = null; // the `-- command…` child while it runs
async function stop(app, code) {
  if (stopping) return;
  stopping = true;
  // Stopped by a signal or by the launcher going: the command would be left talking to a closed port.
  if (command && command.exitCode === null && command.signalCode === null) command.kill('SIGTERM');
  await app.proxy.close(5000); // in-flight streams get a short grace, then the stop line is written
  process.exit(code);
}

/** Ctrl-C, kill and a closed terminal (SIGHUP) all stop the proxy the same way: streams end, the stop line is written. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function onSignals(app) {
  for (const [signal, code] of Object.entries(SIGNALS)) process.on(signal, () => void stop(app, code));
  // Started by rerunWithFlags: with the launcher gone (even SIGKILLed) nobody would stop this proxy, so it stops
  // itself like on SIGHUP; also when the launcher went while the proxy was loading.
  if (typeof process.send === 'function') {
    if (!process.connected) void stop(app, SIGNALS.SIGHUP);
    else {
      process.channel?.unref();
      process.on('disconnect', () => void stop(app, SIGNALS.SIGHUP));
    }
  }
}

/**
 * husky's `prepare` script points core.hooksPath back at .husky/_ on every npm install, which would silently turn
 * our hooks off (theirs keep running). While the proxy runs, a change of .git/config installs the hooks again.
 */
function keepHooksInstalled(repo, commonDir, tagPrefix, installHooks) {
  const config = join(commonDir, 'config');
  const stamp = () => {
    try {
      const s = statSync(config);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return '';
    }
  };
  let seen = stamp();
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || stamp() === seen) return;
    busy = true;
    try {
      const r = await installHooks(repo, { tagPrefix });
      if (r.redirected) console.error(chalk.yellow(`warning: core.hooksPath was changed (husky's prepare?): the fallback hooks run again, after the hooks in ${r.team}`));
    } catch (err) {
      console.error(chalk.yellow(`warning: could not install the git hooks again: ${err.message}`));
    } finally {
      seen = stamp();
      busy = false;
    }
  }, 2000);
  timer.unref();
}

/**
 * Runs this script again in a node that has the proxy's V8 flags (they only work from the start). The two are tied
 * by an IPC channel: when this process goes, however it goes (SIGKILL included), the proxy stops like on SIGHUP.
 */
function rerunWithFlags(flags, argv) {
  const child = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, FALLBACK_PROXY_FLAGS_SET: '1' },
  });
  for (const signal of Object.keys(SIGNALS)) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? SIGNALS[signal] ?? 1)));
}

export async function main(argv) {
  const { PROXY_NODE_FLAGS } = await import('../proxy/node-flags.ts');
  if (process.env.FALLBACK_PROXY_FLAGS_SET !== '1' && !PROXY_NODE_FLAGS.every((f) => process.execArgv.includes(f))) {
    return rerunWithFlags(PROXY_NODE_FLAGS, argv);
  }
  let args;
  try {
    args = parseStartArgs(argv);
  } catch (err) {
    console.error(`error: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const { startApp, loadAppConfigWithTrust } = await import('../proxy/app.ts');
  const { trustNotice } = await import('../proxy/trust/load.ts');
  const { safeUrl } = await import('../proxy/engine/failure-log.ts');
  let app;
  try {
    const repo = await repoTop(resolve(args.repo ?? process.cwd()));
    const loaded = loadAppConfigWithTrust({ repo, configFile: args.config, port: args.port });
    const config = loaded.config;
    for (const line of trustNotice(loaded)) console.error(chalk.yellow(`warning: ${line}`));
    for (const s of config.skipped) console.error(chalk.yellow(`warning: tier ${s.name} skipped: ${s.reason}`));
    app = await startApp({ repo, verbose: args.verbose }, config); // refuses a second proxy on this repository
    onSignals(app);
    if (!args['no-hooks']) {
      const { installHooks } = await import('./install-hooks.mjs');
      await installHooks(repo, { tagPrefix: config.git.tagPrefix });
      const commonDir = resolve(repo, (await $({ cwd: repo, quiet: true })`git rev-parse --git-common-dir`).stdout.trim());
      keepHooksInstalled(repo, commonDir, config.git.tagPrefix, installHooks);
    }
    const url = `http://${config.proxy.host === '0.0.0.0' ? '127.0.0.1' : config.proxy.host}:${app.port}`;
    console.log(`export ANTHROPIC_BASE_URL=${url}`);
    console.error(`dashboard ${url}/`);
    console.error(tierTable(config, 0, safeUrl));
    console.error(`repository ${repo}; ledger ${app.ledgerPath}; config ${config.file}`);
  } catch (err) {
    console.error(chalk.red(`error: ${err.message}`));
    if (app) await app.proxy.close(0);
    return 1;
  }

  if (args.command.length > 0) {
    const [cmd, ...rest] = args.command;
    const child = spawn(cmd, rest, { stdio: 'inherit', env: { ...process.env, ANTHROPIC_BASE_URL: `http://127.0.0.1:${app.port}` } });
    command = child;
    child.on('error', (err) => {
      console.error(chalk.red(`error: cannot run ${cmd}: ${err.message}`));
      void stop(app, 127);
    });
    child.on('exit', (code, signal) => void stop(app, code ?? (signal ? 128 : 1)));
  }
  return null; // keep running until a signal (or the command) stops it
}

const args = mainArgs(import.meta.url);
if (args) {
  main(args).then((code) => {
    if (code !== null) process.exit(code);
  });
}

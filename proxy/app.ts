// Wires the real parts together for one repository: config, ledger path, adapters, the auto-commit
// and the notifier. The start script and the end-to-end tests both start the proxy through here.

import type { Dispatcher } from 'undici';
import type { Server as NetServer } from 'node:net';
import type { Config } from './config.ts';
import { loadConfigWithTrust, type LoadedConfig } from './trust/load.ts';
import { gitCommonDir } from './git/git.ts';
import { ledgerPath } from './git/ledger.ts';
import { holdRun, type Launch } from './run/run-hold.ts';
import { createProxy, type Proxy } from './server/server.ts';
import { commitAtSwitch } from './git/switch-commit.ts';
import { createNotifier } from './notify/index.ts';
import { ADAPTERS } from './providers/adapters.ts';
import type { Clock } from './engine/clock.ts';
import { safeLog } from './terminal-text.ts';

export type AppOptions = {
  repo: string;
  configFile?: string;
  /** Overrides `proxy.port` (0 takes a free port). */
  port?: number;
  verbose?: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  dispatcher?: Dispatcher;
  /** Test seam: notifier retry timing. */
  notifyRetry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Test seam: the time cooldowns are decided by. */
  clock?: Clock;
  /** A socket already bound, to listen on instead of binding proxy.host:port (claude-fallback start passes its fd). */
  handle?: NetServer | { fd: number };
  /** Who started the proxy, for the run file (claude-fallback start passes its own; default: none, no log file). */
  launch?: Launch;
};

export type App = { proxy: Proxy; config: Config; port: number; ledgerPath: string };

/** The config that runs, with a repository's untrusted file cut down to what it may do (proxy/trust/). */
export function loadAppConfigWithTrust(opts: Pick<AppOptions, 'repo' | 'configFile' | 'port' | 'env'>): LoadedConfig {
  const loaded = loadConfigWithTrust({ explicit: opts.configFile, repo: opts.repo, env: opts.env });
  if (opts.port !== undefined) loaded.config.proxy.port = opts.port;
  return loaded;
}

export function loadAppConfig(opts: Pick<AppOptions, 'repo' | 'configFile' | 'port' | 'env'>): Config {
  return loadAppConfigWithTrust(opts).config;
}

export async function startApp(opts: AppOptions, config = loadAppConfig(opts)): Promise<App> {
  // Every line the proxy logs goes through here: upstream text in it cannot drive the terminal or forge a line.
  const log = safeLog(opts.log ?? ((line: string) => process.stderr.write(line + '\n')));
  if (config.tiers.length === 0)
    throw new Error(`${config.file}: every tier was skipped (${config.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`);
  if ((opts.env ?? process.env).NODE_TLS_REJECT_UNAUTHORIZED === '0')
    log('warning: NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for every upstream: your keys could go to an impostor');
  const commonDir = await gitCommonDir(opts.repo);
  const path = ledgerPath(commonDir);
  const run = holdRun(commonDir, log); // one proxy per repository: throws naming the one that runs
  const secrets = config.tiers.flatMap((t) => (t.apiKey ? [t.apiKey] : []));
  const notifier = createNotifier(config.notify, { repo: opts.repo, log, secrets, retry: opts.notifyRetry });
  const proxy = createProxy({
    config,
    repo: opts.repo,
    ledgerPath: path,
    adapters: ADAPTERS,
    autoCommit: (o) => commitAtSwitch({ ...o, maxFileSize: config.git.autoCommitMaxFileSize }),
    notifier,
    log,
    verbose: opts.verbose,
    dispatcher: opts.dispatcher,
    clock: opts.clock,
    handle: opts.handle,
    run,
    launch: opts.launch,
  });
  const port = await proxy.listen().catch((err: unknown) => {
    run.release();
    throw err;
  });
  return { proxy, config, port, ledgerPath: path };
}

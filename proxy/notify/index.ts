// The notifier: at each switch (or POST /webhook event) it sends Discord, Slack and generic webhooks, and at a
// real switch runs the on_switch commands, in the background. `notify` returns at once and never throws;
// `drain` waits for all of it.

import { basename } from 'node:path';
import type { Dispatcher } from 'undici';
import type { Config } from '../config.ts';
import { fetchNotifyContext, type NotifyContext } from './context.ts';
import { runCommand, summarizeCommand, switchEnv } from './commands.ts';
import { deliverJson, type RetryOptions } from './deliver.ts';
import { toDiscordMessage } from './discord.ts';
import type { NotifyEvent } from './message.ts';
import { redact } from '../redact.ts';
import { toSlackMessage } from './slack.ts';

export { redact } from '../redact.ts';
export type { NotifyContext } from './context.ts';
export type { NotifyEvent } from './message.ts';

export type NotifierDeps = {
  /** The repository: on_switch commands run here; its name and branch go into readable messages. */
  repo: string;
  log: (line: string) => void;
  fetchContext?: (repo: string) => Promise<NotifyContext>;
  dispatcher?: Dispatcher;
  retry?: RetryOptions;
  /** Environment for on_switch commands (FALLBACK_* is added); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** More values to keep out of log lines (tier API keys…); the notify URLs are always hidden. */
  secrets?: string[];
  killGraceMs?: number;
};

export type Notifier = { notify(event: NotifyEvent): void; drain(): Promise<void> };

export function createNotifier(config: Config['notify'], deps: NotifierDeps): Notifier {
  const secrets = [config.discord ?? '', ...config.slack, ...config.webhooks, ...(deps.secrets ?? [])].filter(Boolean);
  // Every line passes through redact: a URL can only get here by mistake, and then it is hidden.
  const log = (line: string) => {
    try {
      deps.log(redact(line, secrets));
    } catch {
      // a failing logger must not break delivery
    }
  };
  const fetchContext = deps.fetchContext ?? fetchNotifyContext;
  const inFlight = new Set<Promise<void>>();
  // on_switch commands (often `npm test`) run one at a time, in order, even across quick successive switches.
  let commandChain: Promise<void> = Promise.resolve();

  const track = (p: Promise<void>) => {
    const guarded = p.catch((err: unknown) => log(`notify: unexpected error: ${(err as Error)?.name ?? 'error'}`));
    inFlight.add(guarded);
    void guarded.finally(() => inFlight.delete(guarded));
  };

  // Work starts on a later turn of the event loop, so even spawning a shell never delays the request that switched.
  const later = () => new Promise<void>((resolve) => setImmediate(resolve));

  const http = (target: string, url: string, payload: unknown) =>
    deliverJson(url, payload, { target, timeoutMs: config.timeoutMs, retry: deps.retry, dispatcher: deps.dispatcher, log }).then(
      () => undefined,
    );

  async function readable(event: NotifyEvent): Promise<void> {
    if (!config.discord && config.slack.length === 0) return;
    const context = await fetchContext(deps.repo).catch((): NotifyContext => ({ repoName: basename(deps.repo), branch: null }));
    const jobs: Promise<void>[] = [];
    if (config.discord) jobs.push(http('discord', config.discord, toDiscordMessage(event, context)));
    config.slack.forEach((url, i) => jobs.push(http(`slack[${i}]`, url, toSlackMessage(event, context))));
    await Promise.all(jobs);
  }

  async function commands(event: NotifyEvent): Promise<void> {
    const env = { ...(deps.env ?? process.env), ...switchEnv(event) };
    for (const [i, command] of config.onSwitch.entries()) {
      const r = await runCommand(command, { cwd: deps.repo, env, timeoutMs: config.timeoutMs, killGraceMs: deps.killGraceMs });
      log(summarizeCommand(`on_switch[${i}]`, r));
    }
  }

  return {
    notify(event) {
      try {
        track(later().then(() => readable(event)));
        config.webhooks.forEach((url, i) => track(later().then(() => http(`webhook[${i}]`, url, event))));
        // Commands (often `npm test`) are for real switches; a monitor's external event only informs.
        if (config.onSwitch.length > 0 && event.kind === 'switch') {
          commandChain = commandChain
            .then(later)
            .then(() => commands(event))
            .catch((err: unknown) => log(`notify on_switch: ${(err as Error)?.name ?? 'error'}`));
          track(commandChain);
        }
      } catch (err) {
        log(`notify: could not start: ${(err as Error)?.name ?? 'error'}`);
      }
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

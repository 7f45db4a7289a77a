// Shared notify test inputs: a switch event, an external event, a fixed repository context and a config builder.

import type { Config } from '../../proxy/config.ts';
import type { ExternalEvent, SwitchEvent } from '../../proxy/git/ledger.ts';
import type { NotifyContext } from '../../proxy/notify/index.ts';

export const SWITCH: SwitchEvent = {
  ts: '2026-11-25T23:00:00.000Z',
  kind: 'switch',
  from: 'claude',
  to: 'gemini-flash',
  reason: 'rate_limit',
  status: 429,
  retry_at: '2026-11-26T03:00:00.000Z',
  commit: 'abcdef1234567890abcdef1234567890abcdef12',
  tag: 'model-gemini-flash-20261125-230000',
};

export const EXTERNAL: ExternalEvent = {
  ts: '2026-11-25T23:05:00.000Z',
  kind: 'external',
  model: 'deepseek',
  event_type: 'monitor_alert @everyone',
};

export const CONTEXT: NotifyContext = { repoName: 'myrepo', branch: 'feature/x' };

export function notifyConfig(part: Partial<Config['notify']> = {}): Config['notify'] {
  return { slack: [], webhooks: [], onSwitch: [], timeoutMs: 5_000, ...part };
}

/** Fast retries so tests do not wait for production backoff. */
export const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

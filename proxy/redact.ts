// Replaces every occurrence of a secret (and, for a URL, its path and query) with `[redacted]`: one
// function for everything the proxy writes that may quote one (notifier log lines, upstream error
// messages on their way to the client, the log, the ledger and /status).

import type { TierConfig } from './config.ts';

/** The strings to hide for one secret: itself and, for a URL, its path+query (where webhook tokens live). */
export function secretForms(secret: string): string[] {
  const forms = [secret];
  try {
    const u = new URL(secret);
    const tail = u.pathname + u.search;
    if (tail.length > 1) forms.push(tail);
  } catch {
    // not a URL: the value alone
  }
  return forms;
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = secrets.filter((s) => s.length >= 4).flatMap(secretForms).sort((a, b) => b.length - a.length);
  for (const f of forms) out = out.split(f).join('[redacted]');
  return out;
}

/** A tier's secrets: its key, and header values that carry one (a gateway's key or auth header). */
export function tierSecrets(tier: Pick<TierConfig, 'apiKey' | 'headers'>): string[] {
  const fromHeaders = Object.entries(tier.headers ?? {}).filter(([name]) => /key|auth|token|secret/i.test(name)).map(([, v]) => v);
  return [...(tier.apiKey ? [tier.apiKey] : []), ...fromHeaders];
}

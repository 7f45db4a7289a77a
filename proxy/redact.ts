// Replaces every occurrence of a secret (and, for a URL, its path and query) with `[redacted]`: one
// function for everything the proxy writes that may quote one (notifier log lines, upstream error
// messages on their way to the client, the log, the ledger and /status), and the two shapes built on
// it: header values, and a byte stream redacted across its chunk boundaries (pass-through answers).

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
  const forms = secrets
    .filter((s) => s.length >= 4)
    .flatMap(secretForms)
    .sort((a, b) => b.length - a.length);
  for (const f of forms) out = out.split(f).join('[redacted]');
  return out;
}

/** A tier's secrets: its key, and header values that carry one (a gateway's key or auth header). */
export function tierSecrets(tier: Pick<TierConfig, 'apiKey' | 'headers'>): string[] {
  const fromHeaders = Object.entries(tier.headers ?? {})
    .filter(([name]) => /key|auth|token|secret/i.test(name))
    .map(([, v]) => v);
  return [...(tier.apiKey ? [tier.apiKey] : []), ...fromHeaders];
}

/** Header values with every secret replaced (a vendor may echo the key in a header of its answer). */
export function redactHeaders<T extends Record<string, string | string[]>>(headers: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return headers;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = Array.isArray(value) ? value.map((v) => redact(v, secrets)) : redact(value, secrets);
  return out as T;
}

export type StreamRedactor = {
  /** What may go out of `chunk` now (the tail that may begin a secret waits for the next chunk). */
  push(chunk: Buffer): Buffer;
  /** The rest, at the end of the stream. */
  end(): Buffer;
};

/**
 * Redacts a byte stream: each chunk is joined to the held-back tail and passed through `redact`, and the
 * last (longest secret form - 1) bytes wait, so a secret split across chunks is still found. Bytes are
 * handled as latin1 (one char per byte), so a UTF-8 sequence cut by a chunk boundary is never mangled.
 */
export function createStreamRedactor(secrets: readonly string[]): StreamRedactor {
  const bytes = secrets.filter((s) => s.length >= 4).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
  const hold = Math.max(0, ...bytes.flatMap(secretForms).map((f) => f.length - 1));
  let pending = '';
  return {
    push(chunk) {
      if (bytes.length === 0) return chunk;
      const text = redact(pending + chunk.toString('latin1'), bytes);
      const keep = Math.min(hold, text.length);
      pending = text.slice(text.length - keep);
      return Buffer.from(text.slice(0, text.length - keep), 'latin1');
    },
    end() {
      const rest = redact(pending, bytes);
      pending = '';
      return Buffer.from(rest, 'latin1');
    },
  };
}

// POSTs one JSON payload to one target with bounded retries: 429 and 5xx and network errors are retried,
// a 429's `retry_after` (Discord: seconds in the JSON body) or `retry-after` header is honoured, and the
// whole delivery, waits included, ends by the target's deadline. Never throws; never names the URL.
// https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit

import { request, type Dispatcher } from 'undici';
import { retryAfterMs, type HeaderMap } from '../headers.ts';

export type RetryOptions = { attempts: number; baseDelayMs: number; maxDelayMs: number };
export const DEFAULT_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

export type DeliverOptions = {
  /** Name for log lines (`discord`, `webhook[1]`): the URL itself is never logged. */
  target: string;
  timeoutMs: number;
  retry?: RetryOptions;
  dispatcher?: Dispatcher;
  log: (line: string) => void;
};

export type DeliveryResult = { ok: boolean; attempts: number; status?: number; error?: string };

type Attempt = { ok: true; status: number } | { ok: false; status?: number; error: string; retry: boolean; waitMs?: number };

/** A 429's retry hint in ms: Discord's JSON `retry_after` (seconds, fractional), else the `retry-after` headers. */
export function retryHintMs(headers: HeaderMap, body: string, now = Date.now()): number | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'retry_after' in parsed) {
      const s = Number((parsed as { retry_after: unknown }).retry_after);
      if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
    }
  } catch {
    // not JSON: the headers say it, if anything does
  }
  return retryAfterMs(headers, now);
}

/** The wait before retry `n` (1-based) without a server hint: exponential, capped. */
export function backoffMs(n: number, retry: RetryOptions): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (n - 1));
}

/** An error described by its code or name only: undici messages can carry the host. */
function describeError(err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs}ms`;
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  const code = e?.code ?? e?.cause?.code ?? e?.name;
  return typeof code === 'string' && code ? code : 'request failed';
}

async function attempt(url: string, body: string, timeoutMs: number, dispatcher: Dispatcher | undefined): Promise<Attempt> {
  const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'claude-fallback-notify' },
      body,
      signal,
      dispatcher,
    });
    if (res.statusCode < 300) {
      await res.body.dump().catch(() => undefined);
      return { ok: true, status: res.statusCode };
    }
    const text = await res.body.text().catch(() => '');
    if (res.statusCode === 429) return { ok: false, status: 429, error: 'HTTP 429', retry: true, waitMs: retryHintMs(res.headers, text) };
    return { ok: false, status: res.statusCode, error: `HTTP ${res.statusCode}`, retry: res.statusCode >= 500 || res.statusCode === 408 };
  } catch (err) {
    return { ok: false, error: describeError(err, signal.aborted, timeoutMs), retry: true };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function deliverJson(url: string, payload: unknown, opts: DeliverOptions): Promise<DeliveryResult> {
  const retry = opts.retry ?? DEFAULT_RETRY;
  const deadline = Date.now() + opts.timeoutMs;
  const body = JSON.stringify(payload);
  for (let n = 1; ; n++) {
    const a = await attempt(url, body, deadline - Date.now(), opts.dispatcher);
    if (a.ok) {
      opts.log(`notify ${opts.target}: delivered (HTTP ${a.status}${n > 1 ? `, attempt ${n}` : ''})`);
      return { ok: true, attempts: n, status: a.status };
    }
    const failed = { ok: false, attempts: n, status: a.status, error: a.error };
    if (!a.retry || n >= retry.attempts) {
      opts.log(`notify ${opts.target}: failed after ${n} attempt(s): ${a.error}`);
      return failed;
    }
    const wait = a.waitMs ?? backoffMs(n, retry);
    if (Date.now() + wait >= deadline) {
      opts.log(
        `notify ${opts.target}: failed after ${n} attempt(s): ${a.error}; a retry in ${wait}ms would pass the ${opts.timeoutMs}ms timeout`,
      );
      return failed;
    }
    opts.log(`notify ${opts.target}: ${a.error}, retrying in ${wait}ms (attempt ${n} of ${retry.attempts})`);
    await sleep(wait);
  }
}

// `doctor`'s look at one tier over the network, step by step so the finding names the step that failed:
// DNS, TCP, TLS (verified, as the proxy always does), then a call that costs nothing where the vendor has one:
// its model list, with the tier's own key.
//   anthropic: GET {base_url}/v1/models, x-api-key + anthropic-version (https://platform.claude.com/docs/en/api/models);
//              without a key of its own the tier passes Claude Code's credentials, so the call goes without any
//              and a 401 shows an Anthropic API is there.
//   openai:    GET {base_url}/models, Authorization: Bearer (https://developers.openai.com/api/reference/cli/resources/models/methods/list)
//   gemini:    GET {base_url}/v1beta/models, x-goog-api-key (https://ai.google.dev/api/rest/v1beta/models/list)

import { lookup } from 'node:dns/promises';
import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';
import type { TierConfig } from '../config.ts';
import { safeUrl } from '../engine/failure-log.ts';
import { escapeControl } from '../terminal-text.ts';

export type Step = { step: 'dns' | 'tcp' | 'tls' | 'auth'; ok: boolean; detail: string; fix?: string; warn?: boolean };

const TIMEOUT_MS = 5000;

function timed<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>(
      (_, fail) => (timer = setTimeout(() => fail(new Error(`${what}: no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)),
    ),
  ]).finally(() => clearTimeout(timer));
}

const errText = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
};

function socketStep(open: (done: () => void, fail: (e: Error) => void) => { destroy(): void }, what: string): Promise<void> {
  return timed(
    new Promise<void>((done, fail) => {
      const s = open(
        () => {
          s.destroy();
          done();
        },
        (e) => {
          s.destroy();
          fail(e);
        },
      );
    }),
    what,
  );
}

/** The model list call for the tier's protocol, or null when there is none to make. */
export function modelListCall(tier: TierConfig): { url: string; headers: Record<string, string> } | null {
  const h: Record<string, string> = { ...(tier.headers ?? {}) };
  switch (tier.protocol) {
    case 'anthropic':
      if (tier.apiKey) h['x-api-key'] = tier.apiKey;
      h['anthropic-version'] = '2023-06-01';
      return { url: `${tier.baseUrl}/v1/models`, headers: h };
    case 'openai':
      if (tier.apiKey) h.authorization = `Bearer ${tier.apiKey}`;
      return { url: `${tier.baseUrl}/models`, headers: h };
    case 'gemini':
      if (tier.apiKey) h['x-goog-api-key'] = tier.apiKey;
      return { url: `${tier.baseUrl}/v1beta/models`, headers: h };
  }
}

/**
 * A refused key. Gemini answers a bad, expired or unknown key with 400 and `details[].reason: "API_KEY_INVALID"`,
 * not 401 (https://github.com/continuedev/continue/issues/8516, https://github.com/google-gemini/gemini-cli/issues/25198).
 */
export function keyRefused(status: number, json: unknown): boolean {
  if (status === 401 || status === 403) return true;
  const details = (json as { error?: { details?: { reason?: unknown }[] } } | null)?.error?.details;
  return status === 400 && Array.isArray(details) && details.some((d) => d?.reason === 'API_KEY_INVALID');
}

/** The vendor's own error message, never the raw body (Gemini's DebugInfo detail holds the key's prefix). */
function vendorMessage(json: unknown): string {
  const e = (json as { error?: { message?: unknown } | string; message?: unknown } | null) ?? null;
  const m = typeof e?.error === 'object' ? e.error?.message : typeof e?.error === 'string' ? e.error : e?.message;
  return typeof m === 'string' ? escapeControl(m.slice(0, 120)) : '';
}

/** Model ids in a model list answer (all three shapes), for "is the configured model there". */
export function listedModels(json: unknown): string[] {
  const j = json as { data?: { id?: unknown }[]; models?: { name?: unknown }[] };
  if (Array.isArray(j?.data)) return j.data.map((m) => String(m.id ?? ''));
  if (Array.isArray(j?.models)) return j.models.map((m) => String(m.name ?? '').replace(/^models\//, ''));
  return [];
}

/** Statuses that say "not now" rather than "not like this": a timeout, a conflict, a rate limit, a server error. */
const passing = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/** What to do about a model-list answer that is neither 200, a refused key nor 404. */
export function statusFix(status: number, tier: string): string {
  if (status === 429) return 'rate-limited right now; the proxy falls back while it is';
  if (passing(status)) return `the vendor answered ${status}: try again later`;
  return `a ${status} will not go away by waiting: check ${tier}'s base_url (the vendor's API address, with /v1 where its documentation has it), its model and its key`;
}

export async function checkTier(tier: TierConfig): Promise<Step[]> {
  const steps: Step[] = [];
  const url = new URL(tier.baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const tls = url.protocol === 'https:';
  const port = Number(url.port) || (tls ? 443 : 80);
  const base = `check ${tier.name}'s base_url (${safeUrl(tier.baseUrl)})`;

  let address = host;
  if (!isIP(host)) {
    try {
      const t = Date.now();
      address = (await timed(lookup(host), `DNS ${host}`)).address;
      steps.push({ step: 'dns', ok: true, detail: `${host} is ${address} (${Date.now() - t} ms)` });
    } catch (err) {
      steps.push({
        step: 'dns',
        ok: false,
        detail: `DNS ${host}: ${errText(err)}`,
        fix: `${base} for a typo in the host name, or your network's DNS`,
      });
      return steps;
    }
  }
  try {
    const t = Date.now();
    await socketStep(
      (done, fail) => tcpConnect({ host: address, port }).once('connect', done).once('error', fail),
      `TCP ${address}:${port}`,
    );
    steps.push({ step: 'tcp', ok: true, detail: `TCP ${address}:${port} (${Date.now() - t} ms)` });
  } catch (err) {
    steps.push({
      step: 'tcp',
      ok: false,
      detail: `TCP ${address}:${port}: ${errText(err)}`,
      fix: `nothing answers there: ${base}, or start that server; a firewall or proxy may block it`,
    });
    return steps;
  }
  if (tls) {
    try {
      const t = Date.now();
      await socketStep(
        (done, fail) =>
          tlsConnect({ host: address, port, servername: isIP(host) ? undefined : host })
            .once('secureConnect', done)
            .once('error', fail),
        `TLS ${host}`,
      );
      steps.push({ step: 'tls', ok: true, detail: `TLS certificate for ${host} verified (${Date.now() - t} ms)` });
    } catch (err) {
      steps.push({
        step: 'tls',
        ok: false,
        detail: `TLS ${host}: ${errText(err)}`,
        fix: "the proxy verifies every certificate: use the vendor's own host name, or for a private CA start with NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
      });
      return steps;
    }
  }
  const call = modelListCall(tier);
  if (!call) return steps;
  const dispatcher = new Agent({ connect: { timeout: TIMEOUT_MS } });
  try {
    const r = await request(call.url, {
      method: 'GET',
      headers: call.headers,
      dispatcher,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    const text = tier.apiKey ? (await r.body.text()).split(tier.apiKey).join('[key]') : await r.body.text(); // vendors may echo the key
    const where = `GET ${safeUrl(call.url)}`;
    const own = tier.apiKey !== undefined;
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (a gateway's page): no models, no message
    }
    if (r.statusCode === 200) {
      const models = listedModels(json);
      const want = tier.model;
      if (want && models.length > 0 && !models.includes(want)) {
        steps.push({
          step: 'auth',
          ok: true,
          warn: true,
          detail: `${where}: 200, key accepted, but ${want} is not among the ${models.length} models listed`,
          fix: `check ${tier.name}'s model name (the list has e.g. ${models.slice(0, 3).join(', ')})`,
        });
      } else
        steps.push({
          step: 'auth',
          ok: true,
          detail: `${where}: 200${own ? ', key accepted' : ''}${models.length ? `, ${models.length} models` : ''}`,
        });
    } else if (keyRefused(r.statusCode, json) && !own) {
      steps.push({
        step: 'auth',
        ok: true,
        detail: `${where}: ${r.statusCode} without credentials, as expected: the tier uses Claude Code's own login or API key`,
      });
    } else if (keyRefused(r.statusCode, json)) {
      const said = vendorMessage(json);
      steps.push({
        step: 'auth',
        ok: false,
        detail: `${where}: ${r.statusCode}, the key was refused${said ? ` (${said})` : ''}`,
        fix: `check the key the config gives ${tier.name} (api_key): expired, revoked, or for another vendor`,
      });
    } else if (r.statusCode === 404) {
      steps.push({
        step: 'auth',
        ok: false,
        warn: true,
        detail: `${where}: 404`,
        fix: `${base}: a 404 usually means a path segment too many or too few (e.g. /v1 twice); some compatible endpoints have no model list at all`,
      });
    } else {
      steps.push({
        step: 'auth',
        ok: false,
        warn: passing(r.statusCode),
        detail: `${where}: ${r.statusCode} ${vendorMessage(json)}`.trimEnd(),
        fix: statusFix(r.statusCode, tier.name),
      });
    }
  } catch (err) {
    steps.push({ step: 'auth', ok: false, detail: `GET ${safeUrl(call.url)}: ${errText(err)}`, fix: base });
  } finally {
    await dispatcher.close();
  }
  return steps;
}

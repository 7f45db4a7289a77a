// The proxy's figures: pass-through time to first byte and throughput against direct and a bare node:http
// pipe, translation against the provider's stream fetched directly, and 100 concurrent streams. The proxy,
// the pipe and the fake upstream each run in their own process; this one only sends and times requests.

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { configYaml, type TierSpec } from '../../test-support/config-yaml.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { loadAppConfig } from '../../proxy/app.ts';
import { ADAPTERS } from '../../proxy/providers/adapters.ts';
import { createConversationStore } from '../../proxy/providers/provider.ts';
import { upstreamModel } from '../../proxy/engine/model-map.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import { createClient, timed, type Timing } from './client.ts';
import { claudeCodeRequest, smallRequest, type ClientRequest } from './payloads.ts';
import { ROOT, peakRssMb, resetPeakRss, rssMb, spawnChild, watchRss, type Child } from './processes.ts';
import { shuffled, summarize, type Summary } from './stats.ts';

const SERVERS = join(ROOT, 'scripts', 'bench', 'servers.ts');
const ENTRY = join(ROOT, 'scripts', 'bench', 'proxy-entry.ts');

export type ProxyBenchOptions = {
  quick: boolean;
  /** Node flags for the proxy processes, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  proxyNodeArgs?: string[];
  log?: (line: string) => void;
};

type Concurrent = { streams: number; errors: number; errorSamples: string[]; idleRssMb: number; peakRssMb: number; seconds: number };
type Variant = { name: string; base: string; req: ClientRequest; stream?: string };
type Series = Record<string, { ttfb: number[]; total: number[] }>;

export type ProxyResults = {
  passSmall: Record<'direct' | 'pipe' | 'proxy', { ttfb: Summary; total: Summary }>;
  pass80k: Record<'direct' | 'pipe' | 'proxy', { ttfb: Summary; total: Summary }>;
  /** Claude Code's tool-loop turn recorded without its thinking block: the proxy must drop `thinking` and re-serialise. */
  pass80kRewritten: Record<'direct' | 'proxy', { ttfb: Summary; total: Summary }>;
  large: Record<'direct' | 'pipe' | 'proxy', { ttfb: Summary; total: Summary }> & { bytes: number };
  /** By request: a short one (the answer's translation alone) and the 80 KB Claude Code one. */
  /** With the bare pipe carrying the provider request the proxy would send: the added time any Node proxy pays. */
  openai: Record<'small' | 'large', Record<'direct' | 'pipe' | 'proxy', { ttfb: Summary; total: Summary }>>;
  gemini: Record<'small' | 'large', Record<'direct' | 'pipe' | 'proxy', { ttfb: Summary; total: Summary }>>;
  concurrent: Concurrent;
  /** The same load through the bare pipe (also started with tsx): the RSS a Node proxy costs anyway. */
  concurrentPipe: Concurrent;
  /** And through the same pipe on undici's pool, the proxy's upstream client: what that client costs. */
  concurrentUndiciPipe: Concurrent;
  requestBytes: number;
};

async function startProxy(tiers: TierSpec[], nodeArgs: string[] | undefined): Promise<{ child: Child; repo: string; configFile: string }> {
  const repo = await makeRepo('bench-proxy-');
  const configFile = join(repo, '.fallbackrc.yaml');
  writeFileSync(configFile, configYaml({ tiers, fallback: { first_byte_timeout: '30s', idle_timeout: '30s' } }));
  const child = await spawnChild(ENTRY, [repo, configFile], { cwd: ROOT, nodeArgs });
  return { child, repo, configFile };
}

/** The provider request the proxy sends for `req` (what a direct client of that provider would send). */
function translatedRequest(repo: string, configFile: string, req: ClientRequest): ClientRequest {
  const config = loadAppConfig({ repo, configFile, env: {} });
  const tier = config.tiers[0];
  const body = JSON.parse(req.body.toString('utf8')) as MessagesRequest;
  const client = { body, raw: req.body, path: req.path, headers: req.headers };
  const { request } = ADAPTERS[tier.protocol].prepare(client, {
    tier,
    model: upstreamModel(tier, body.model),
    stream: true,
    store: createConversationStore(),
  });
  const url = new URL(request.url);
  return { path: url.pathname + url.search, headers: request.headers, body: Buffer.from(request.body ?? '') };
}

/** `rounds` rounds, each timing every variant once in a fresh random order; `warm` untimed rounds first. */
async function interleaved(client: Dispatcher, variants: Variant[], rounds: number, warm: number): Promise<Series> {
  const series: Series = Object.fromEntries(variants.map((v) => [v.name, { ttfb: [], total: [] }]));
  for (let i = 0; i < warm + rounds; i++) {
    for (const v of shuffled(variants)) {
      const t = await timed(client, v.base, v.req, { stream: v.stream });
      check(v, t);
      if (i < warm) continue;
      series[v.name].ttfb.push(t.ttfb);
      series[v.name].total.push(t.total);
    }
  }
  return series;
}

function check(v: Variant, t: Timing): void {
  if (t.status !== 200 || t.bytes === 0) throw new Error(`${v.name}: status ${t.status}, ${t.bytes} bytes`);
}

function summaries<K extends string>(series: Series, names: readonly K[]): Record<K, { ttfb: Summary; total: Summary }> {
  return Object.fromEntries(names.map((n) => [n, { ttfb: summarize(series[n].ttfb), total: summarize(series[n].total) }])) as Record<
    K,
    { ttfb: Summary; total: Summary }
  >;
}

export async function benchProxy(opts: ProxyBenchOptions): Promise<ProxyResults> {
  const log = opts.log ?? (() => {});
  const q = opts.quick;
  const children: Child[] = [];
  const repos: string[] = [];
  const client = createClient();
  try {
    const { fake, pipe, undiciPipe, pass, oa, gm } = await startAll(opts.proxyNodeArgs, children, repos);

    const small = smallRequest();
    const cc = claudeCodeRequest();
    const three = (req: ClientRequest, stream: string): Variant[] => [
      { name: 'direct', base: fake.url, req, stream },
      { name: 'pipe', base: pipe.url, req, stream },
      { name: 'proxy', base: pass.child.url, req, stream },
    ];

    log('pass-through, small stream…');
    const passSmall = summaries(await interleaved(client, three(small, 'small'), q ? 200 : 1000, 50), ['direct', 'pipe', 'proxy'] as const);
    log('pass-through, 80 KB Claude Code request…');
    const pass80k = summaries(await interleaved(client, three(cc, 'small'), q ? 150 : 600, 30), ['direct', 'pipe', 'proxy'] as const);
    const rewritten = claudeCodeRequest(1);
    const rw = await interleaved(
      client,
      [
        { name: 'direct', base: fake.url, req: rewritten, stream: 'small' },
        { name: 'proxy', base: pass.child.url, req: rewritten, stream: 'small' },
      ],
      q ? 100 : 300,
      20,
    );
    const pass80kRewritten = summaries(rw, ['direct', 'proxy'] as const);
    log('pass-through, ~1 MB stream…');
    const largeBytes = (await timed(client, fake.url, small, { stream: 'large' })).bytes;
    const large = {
      ...summaries(await interleaved(client, three(small, 'large'), q ? 20 : 80, 5), ['direct', 'pipe', 'proxy'] as const),
      bytes: largeBytes,
    };

    log('translation…');
    const providers = [
      ['openai', oa],
      ['gemini', gm],
    ] as const;
    const variants: Variant[] = [];
    for (const [p, proxy] of providers) {
      for (const [size, req] of [
        ['small', small],
        ['80k', cc],
      ] as const) {
        const sent = translatedRequest(proxy.repo, proxy.configFile, req);
        variants.push(
          { name: `${p}-${size}-direct`, base: fake.url, req: sent },
          { name: `${p}-${size}-pipe`, base: pipe.url, req: sent },
          { name: `${p}-${size}-proxy`, base: proxy.child.url, req },
        );
      }
    }
    const tr = await interleaved(client, variants, q ? 100 : 400, 30);
    const pick = (p: string, size: string) => {
      const s = summaries(tr, [`${p}-${size}-direct`, `${p}-${size}-pipe`, `${p}-${size}-proxy`]);
      return { direct: s[`${p}-${size}-direct`], pipe: s[`${p}-${size}-pipe`], proxy: s[`${p}-${size}-proxy`] };
    };
    const translation = (p: string) => ({ small: pick(p, 'small'), large: pick(p, '80k') });
    const last = await timed(client, oa.child.url, cc, { keep: true });
    if (!last.text?.includes('"input_json_delta"') || !last.text.includes('message_stop'))
      throw new Error('openai translation: no tool input in the answer');

    log('100 concurrent streams…');
    const concurrentPipe = await concurrentStreams(client, pipe, cc, largeBytes, 100);
    const concurrentUndiciPipe = await concurrentStreams(client, undiciPipe, cc, largeBytes, 100);
    const concurrent = await concurrentStreams(client, pass.child, cc, largeBytes, 100);
    return {
      passSmall,
      pass80k,
      pass80kRewritten,
      large,
      openai: translation('openai'),
      gemini: translation('gemini'),
      concurrent,
      concurrentPipe,
      concurrentUndiciPipe,
      requestBytes: cc.body.length,
    };
  } catch (err) {
    for (const c of children) if (c.stderr()) log(`stderr of ${c.pid}: ${c.stderr()}`);
    throw err;
  } finally {
    await client.close();
    for (const c of children.reverse()) await c.stop();
    for (const r of repos) rmSync(r, { recursive: true, force: true });
  }
}

/** The fake upstream, the two bare pipes and the three proxies (pass-through, OpenAI, Gemini), each its own process. */
async function startAll(proxyNodeArgs: string[] | undefined, children: Child[], repos: string[]) {
  const child = async (script: string, args: string[], nodeArgs?: string[]) => {
    const c = await spawnChild(script, args, { cwd: ROOT, nodeArgs });
    children.push(c);
    return c;
  };
  const proxy = async (tiers: TierSpec[]) => {
    const p = await startProxy(tiers, proxyNodeArgs);
    children.push(p.child);
    repos.push(p.repo);
    return p;
  };
  const fake = await child(SERVERS, ['fake']);
  const pipe = await child(SERVERS, ['pipe', fake.url]);
  const undiciPipe = await child(SERVERS, ['undici-pipe', fake.url], proxyNodeArgs);
  const pass = await proxy([{ name: 'claude', protocol: 'anthropic', base_url: fake.url }]);
  const oa = await proxy([{ name: 'openai-bench', protocol: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-bench', model: 'gpt-4.1' }]);
  const gm = await proxy([
    { name: 'gemini-bench', protocol: 'gemini', base_url: fake.url, api_key: 'bench-key', model: 'gemini-2.5-flash' },
  ]);
  return { fake, pipe, undiciPipe, pass, oa, gm };
}

/** `n` streams at once through the proxy: each the 80 KB request and the ~1 MB answer, checked byte for byte. */
async function concurrentStreams(
  client: Dispatcher,
  proxy: Child,
  req: ClientRequest,
  expectBytes: number,
  n: number,
): Promise<Concurrent> {
  const idleRssMb = rssMb(proxy.pid);
  const hwm = resetPeakRss(proxy.pid);
  const stop = watchRss(proxy.pid);
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, () => timed(client, proxy.url, req, { stream: 'large' })));
  const seconds = (performance.now() - t0) / 1000;
  const polled = stop();
  const errors: string[] = [];
  for (const r of results) {
    if (r.status === 'rejected') errors.push(String((r.reason as Error)?.message ?? r.reason));
    else if (r.value.status !== 200 || r.value.bytes !== expectBytes)
      errors.push(`status ${r.value.status}, ${r.value.bytes}/${expectBytes} bytes`);
  }
  return {
    streams: n,
    errors: errors.length,
    errorSamples: errors.slice(0, 3),
    idleRssMb,
    peakRssMb: hwm ? Math.max(polled, peakRssMb(proxy.pid)) : polled,
    seconds,
  };
}

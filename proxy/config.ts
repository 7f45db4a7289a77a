// Loads and validates `.fallbackrc.yaml`: every error names the key path and its line in the file.
// `${VAR}` is read from the environment; a tier whose variable is unset is skipped with a warning.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageFile } from './package-root.mjs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { FIRST_PARTY, isAnthropicApi } from './first-party.ts';
import { durationText, MAX_DURATION_MS, parseDuration, parseSize } from './duration.ts';
import { isLoopbackHost } from './server/access.ts';
import { DEFAULT_MAX_FILE_SIZE } from './git/left-out.ts';
import { refPartProblem } from './git/run-tag.ts';
import { userConfigFile } from './trust/user-dir.ts';
import { closestName } from './closest-name.ts';
import { compileGlobs, ROUTE_CONDITIONS, type HeaderCondition, type RouteRule } from './routing/route-rule.ts';

export type Protocol = 'anthropic' | 'openai' | 'gemini';

/**
 * The longest a tier cools down, whatever hint it sent: a subscription's weekly limit resets within
 * 7 days, so a longer hint is a broken header (`retry-after: 99999999999999`, a reset time in
 * nanoseconds, a date in the year 9999). Clamping (engine/fallback-policy.ts clampWait, a config's
 * `fallback.cooldown`) keeps every cooldown end a valid time
 * for the switch line, /status and the client's retry-after.
 */
export const MAX_COOLDOWN_MS = 7 * 24 * 3600 * 1000;

export const PROTOCOLS: readonly Protocol[] = ['anthropic', 'openai', 'gemini'];

export type Rates = { input: number; output: number; cacheRead?: number; cacheWrite?: number };
/** USD per million tokens; `longContext`: the rates of a whole request whose input (input + cache tokens) is over `above`. */
export type Price = Rates & { longContext?: Rates & { above: number } };

/** A tier's spend cap: once the tier's recorded cost in the current UTC period reaches `amount` (USD), it cools down until the period ends. */
export type Budget = { amount: number; per: 'day' | 'week' | 'month' };
export const BUDGET_PERIODS: readonly Budget['per'][] = ['day', 'week', 'month'];
/** The longest a budget can hold a tier back: a month. */
export const MAX_BUDGET_HOLD_MS = 31 * 24 * 3600 * 1000;

export type TierConfig = {
  name: string;
  protocol: Protocol;
  baseUrl: string;
  /** The tier's own key, sent instead of the client's. */
  apiKey?: string;
  /**
   * anthropic only: Claude Code's own credentials (x-api-key, Authorization) are forwarded. True for a
   * keyless tier 0, a keyless tier at https://api.anthropic.com, and `credentials: client`; never for
   * a tier with its own key (api_key, or an x-api-key / authorization in its headers).
   */
  clientCredentials?: true;
  model?: string;
  models?: { opus?: string; sonnet?: string; haiku?: string };
  maxOutputTokens?: number;
  price?: Price;
  budget?: Budget;
  /** Extra headers for this upstream (OpenRouter's HTTP-Referer, a gateway's key header…). */
  headers?: Record<string, string>;
  /** gemini only: send tool schemas as `parametersJsonSchema` (json, the default) or sanitised `parameters`. */
  schema?: 'json' | 'parameters';
  /** Who serves this tier, when its host does not say (a gateway in front of Anthropic: `anthropic`). */
  vendor?: Vendor;
  /** Capability overrides for models the profile table does not know (proxy/capabilities/README.md). */
  vision?: boolean;
  imageTypes?: string[];
  documents?: boolean;
  contextWindow?: number;
};

/**
 * `fallback.switch_before` as written (`text`, for the status line): a spent fraction of the 5-hour or 7-day window
 * (`97%` → 0.97), or Anthropic's own warning status (`allowed_warning`).
 */
export type SwitchBefore = { text: string; utilization: number } | { text: string; status: 'allowed_warning' };

export const VENDORS = ['anthropic', 'deepseek', 'google', 'openai', 'openrouter', 'mistral', 'other'] as const;
export type Vendor = (typeof VENDORS)[number];

export type Config = {
  /** The file this came from. */
  file: string;
  proxy: {
    host: string;
    port: number;
    token?: string;
    maxBodyBytes: number;
    /** A request's headers and body must be complete within this time of its start. */
    requestTimeoutMs: number;
    /** Open client connections at most; more are closed as they arrive. */
    maxConnections: number;
  };
  tiers: TierConfig[];
  /** Routing rules, checked in order (docs/routing.md); empty: every request takes the tier list. */
  routes: RouteRule[];
  /** Tiers left out at load, with the reason (an unset `${VAR}`). */
  skipped: { name: string; reason: string }[];
  fallback: {
    cooldownMs: number;
    maxWaitMs: number;
    firstByteTimeoutMs: number;
    idleTimeoutMs: number;
    holdbackMs: number;
    /** `fallback.switch_before`: leave a Claude subscription tier before its 5h/7d window runs out (proxy/engine/quota-policy.ts). */
    switchBefore?: SwitchBefore;
  };
  /** `assistedBy`: Assisted-by trailers beside Model: (docs/git.md, "Assisted-by trailers"). */
  git: { autoCommit: boolean; tagPrefix: string; autoCommitMaxFileSize: number; assistedBy: boolean };
  notify: { discord?: string; slack: string[]; webhooks: string[]; onSwitch: string[]; timeoutMs: number };
  /** `review.test`: the command the dashboard may run before it accepts a model's work. */
  review: { test?: string };
  /**
   * The values that came (in part) from a `${VAR}`: the key path as written (`tiers[1].headers.x-key`) and,
   * inside a tier, that tier's name and the key within it (`headers.x-key`). proxy/trust/policy.ts reads it.
   */
  fromEnv: EnvValue[];
};

export type EnvValue = { path: string; tier?: string; key?: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const PROJECT_DEFAULT_CONFIG = packageFile('.fallbackrc.yaml');

/**
 * Where a config came from, which decides whether it is trusted (docs/security.md): `command-line` (--config)
 * and `user` (the user's config folder) are the user's own, `tool-default` is the installed package's,
 * `repository` is whatever the repository's authors committed.
 */
export type ConfigOrigin = 'command-line' | 'repository' | 'user' | 'tool-default';

/** `--config FILE`, else `<repo>/.fallbackrc.yaml`, else the user's `config.yaml`, else the tool's own default. */
export function locateConfig(
  explicit: string | undefined,
  repo: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { file: string; origin: ConfigOrigin } {
  if (explicit) return { file: resolve(explicit), origin: 'command-line' };
  if (repo && existsSync(join(repo, '.fallbackrc.yaml'))) return { file: join(repo, '.fallbackrc.yaml'), origin: 'repository' };
  const user = userConfigFile(env);
  if (existsSync(user)) return { file: user, origin: 'user' };
  return { file: PROJECT_DEFAULT_CONFIG, origin: 'tool-default' };
}

export function findConfigFile(explicit: string | undefined, repo: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return locateConfig(explicit, repo, env).file;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  return parseConfig(text, file, env);
}

type Ctx = { file: string; lines: LineCounter; env: NodeJS.ProcessEnv; unset: Set<string>; fromEnv: EnvValue[] };

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line ?? lines.linePos(e.pos[0]).line;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const ctx: Ctx = { file, lines, env, unset: new Set(), fromEnv: [] };
  const root = doc.contents;
  if (root !== null && !isMap(root))
    fail(ctx, root, '', 'the file must be a mapping of proxy, tiers, routes, fallback, git, notify, review');
  const top = readMap(ctx, root, '', ['proxy', 'tiers', 'routes', 'fallback', 'git', 'notify', 'review']);

  const proxyMap = readMap(ctx, top.proxy, 'proxy', ['host', 'port', 'token', 'max_body', 'request_timeout', 'max_connections']);
  const proxy = {
    host: str(ctx, proxyMap.host, 'proxy.host') ?? '127.0.0.1',
    port: int(ctx, proxyMap.port, 'proxy.port', 0, 65535) ?? 8000,
    token: str(ctx, proxyMap.token, 'proxy.token') || undefined,
    maxBodyBytes: size(ctx, proxyMap.max_body, 'proxy.max_body') ?? 32 * 1024 * 1024,
    requestTimeoutMs: duration(ctx, proxyMap.request_timeout, 'proxy.request_timeout') ?? 60_000,
    maxConnections: int(ctx, proxyMap.max_connections, 'proxy.max_connections', 1, 100_000) ?? 512,
  };
  if (proxy.requestTimeoutMs <= 0)
    fail(ctx, proxyMap.request_timeout, 'proxy.request_timeout', 'must be more than 0 (a request body has to end some time)');

  if (!isLoopbackHost(proxy.host) && !proxy.token)
    fail(
      ctx,
      proxyMap.host,
      'proxy.host',
      `"${proxy.host}" is reachable from other machines: set proxy.token too (clients send it as x-fallback-token)`,
    );

  const tiers: TierConfig[] = [];
  const skipped: Config['skipped'] = [];
  const names = new Set<string>();
  if (top.tiers === undefined) fail(ctx, root, 'tiers', 'at least one tier is required');
  if (!isSeq(top.tiers)) fail(ctx, top.tiers, 'tiers', 'must be a list of tiers');
  top.tiers.items.forEach((item, i) => {
    const path = `tiers[${i}]`;
    ctx.unset = new Set();
    const tier = readTier(ctx, item as Node, path, i);
    for (const v of ctx.fromEnv)
      if (v.path.startsWith(path + '.')) Object.assign(v, { tier: tier.name, key: v.path.slice(path.length + 1) });
    if (names.has(tier.name)) fail(ctx, item as Node, `${path}.name`, `duplicate tier name "${tier.name}"`);
    names.add(tier.name);
    if (ctx.unset.size === 0) refuseKeylessGateway(ctx, item as Node, path, tier);
    if (ctx.unset.size > 0) skipped.push({ name: tier.name, reason: `${[...ctx.unset].map((v) => '$' + v).join(', ')} not set` });
    else tiers.push(tier);
  });
  if (top.tiers.items.length === 0) fail(ctx, top.tiers, 'tiers', 'at least one tier is required');
  const routes = readRoutes(ctx, top.routes, [...names], tiers);

  const fb = readMap(ctx, top.fallback, 'fallback', [
    'cooldown',
    'max_wait',
    'first_byte_timeout',
    'idle_timeout',
    'holdback',
    'switch_before',
  ]);
  const fallback: Config['fallback'] = {
    cooldownMs: duration(ctx, fb.cooldown, 'fallback.cooldown', MAX_COOLDOWN_MS) ?? 15 * 60_000,
    maxWaitMs: duration(ctx, fb.max_wait, 'fallback.max_wait') ?? 10_000,
    firstByteTimeoutMs: duration(ctx, fb.first_byte_timeout, 'fallback.first_byte_timeout') ?? 60_000,
    idleTimeoutMs: duration(ctx, fb.idle_timeout, 'fallback.idle_timeout') ?? 5 * 60_000,
    holdbackMs: duration(ctx, fb.holdback, 'fallback.holdback') ?? 2_000,
  };
  const switchBefore = readSwitchBefore(ctx, fb.switch_before, 'fallback.switch_before');
  if (switchBefore) fallback.switchBefore = switchBefore;

  const g = readMap(ctx, top.git, 'git', ['auto_commit', 'tag_prefix', 'auto_commit_max_file_size', 'assisted_by']);
  const tagPrefix = str(ctx, g.tag_prefix, 'git.tag_prefix') ?? 'model-';
  if (!/^[A-Za-z0-9._-]+$/.test(tagPrefix)) fail(ctx, g.tag_prefix, 'git.tag_prefix', 'may hold only letters, digits, ".", "_" and "-"');
  const badPrefix = refPartProblem(tagPrefix, { start: true });
  if (badPrefix) fail(ctx, g.tag_prefix, 'git.tag_prefix', `"${tagPrefix}" ${badPrefix}`);
  const envAuto = env.GIT_AUTO_COMMIT?.toLowerCase();
  const git = {
    autoCommit: envAuto === 'false' || envAuto === '0' ? false : (bool(ctx, g.auto_commit, 'git.auto_commit') ?? true),
    tagPrefix,
    // Files over it stay out of the auto-commit (proxy/git/left-out.ts).
    autoCommitMaxFileSize: size(ctx, g.auto_commit_max_file_size, 'git.auto_commit_max_file_size') ?? DEFAULT_MAX_FILE_SIZE,
    assistedBy: bool(ctx, g.assisted_by, 'git.assisted_by') ?? false,
  };

  // An unset `${DISCORD_WEBHOOK_URL}` (or any notify variable) simply turns that target off.
  const n = readMap(ctx, top.notify, 'notify', ['discord', 'slack', 'webhooks', 'on_switch', 'timeout']);
  const notify = {
    discord: str(ctx, n.discord, 'notify.discord') || undefined,
    slack: strList(ctx, n.slack, 'notify.slack'),
    webhooks: strList(ctx, n.webhooks, 'notify.webhooks'),
    onSwitch: strList(ctx, n.on_switch, 'notify.on_switch'),
    timeoutMs: duration(ctx, n.timeout, 'notify.timeout') ?? 30_000,
  };
  const r = readMap(ctx, top.review, 'review', ['test']);
  const review = { test: str(ctx, r.test, 'review.test') || undefined };
  const tierNames = new Set(tiers.map((t) => t.name));
  const fromEnv = ctx.fromEnv.filter((v) => v.tier === undefined || tierNames.has(v.tier));
  return { file, proxy, tiers, routes, skipped, fallback, git, notify, review, fromEnv };
}

function readTier(ctx: Ctx, node: Node, path: string, index: number): TierConfig {
  const m = readMap(ctx, node, path, [
    'name',
    'protocol',
    'base_url',
    'api_key',
    'model',
    'models',
    'max_output_tokens',
    'price',
    'budget',
    'headers',
    'schema',
    'credentials',
    'vendor',
    'vision',
    'image_types',
    'documents',
    'context_window',
  ]);
  const name = str(ctx, m.name, `${path}.name`);
  if (!name) fail(ctx, node, `${path}.name`, 'every tier needs a name');
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    fail(ctx, m.name, `${path}.name`, `"${name}" may hold only letters, digits, ".", "_" and "-" (it becomes a git tag)`);
  const badName = refPartProblem(name, { start: false });
  if (badName) fail(ctx, m.name, `${path}.name`, `"${name}" ${badName}`);
  const protocol = str(ctx, m.protocol, `${path}.protocol`);
  if (!protocol) fail(ctx, node, `${path}.protocol`, `required: one of ${PROTOCOLS.join(', ')}`);
  if (!PROTOCOLS.includes(protocol as Protocol))
    fail(ctx, m.protocol, `${path}.protocol`, `unknown protocol "${protocol}": use one of ${PROTOCOLS.join(', ')}`);
  const baseUrl = str(ctx, m.base_url, `${path}.base_url`);
  if (!baseUrl) fail(ctx, node, `${path}.base_url`, 'required');
  if (!ctx.unset.size && !/^https?:\/\/[^/]/.test(baseUrl)) fail(ctx, m.base_url, `${path}.base_url`, `"${baseUrl}" is not an http(s) URL`);
  const tier: TierConfig = { name, protocol: protocol as Protocol, baseUrl: baseUrl.replace(/\/+$/, '') };
  const apiKey = str(ctx, m.api_key, `${path}.api_key`);
  if (apiKey) tier.apiKey = apiKey;
  else if (protocol !== 'anthropic' && m.api_key === undefined)
    fail(ctx, node, `${path}.api_key`, `a ${protocol} tier needs an api_key (use \${VAR} to read it from the environment)`);
  const model = str(ctx, m.model, `${path}.model`);
  if (model) tier.model = model;
  if (m.models !== undefined) {
    const mm = readMap(ctx, m.models, `${path}.models`, ['opus', 'sonnet', 'haiku']);
    tier.models = {};
    for (const k of ['opus', 'sonnet', 'haiku'] as const) {
      const v = str(ctx, mm[k], `${path}.models.${k}`);
      if (v) tier.models[k] = v;
    }
  }
  if (protocol !== 'anthropic' && !tier.model && !tier.models?.sonnet)
    fail(ctx, node, `${path}.model`, `a ${protocol} tier needs a model (Claude model names mean nothing to it)`);
  const mot = int(ctx, m.max_output_tokens, `${path}.max_output_tokens`, 1, 10_000_000);
  if (mot !== undefined) tier.maxOutputTokens = mot;
  if (m.price !== undefined) tier.price = readPrice(ctx, m.price, `${path}.price`);
  if (m.budget !== undefined) tier.budget = readBudget(ctx, m.budget, `${path}.budget`);
  const schema = str(ctx, m.schema, `${path}.schema`);
  if (schema !== undefined && schema !== 'json' && schema !== 'parameters')
    fail(ctx, m.schema, `${path}.schema`, `unknown schema mode "${schema}": use json or parameters`);
  if (schema !== undefined && protocol !== 'gemini') fail(ctx, m.schema, `${path}.schema`, 'only a gemini tier has a schema mode');
  if (schema !== undefined) tier.schema = schema;
  readCapabilities(ctx, m, path, tier);
  if (m.headers !== undefined) {
    if (!isMap(m.headers)) fail(ctx, m.headers, `${path}.headers`, 'must be a mapping of header name to value');
    tier.headers = {};
    for (const pair of m.headers.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const v = str(ctx, pair.value as Node, `${path}.headers.${key}`);
      if (v !== undefined) tier.headers[key.toLowerCase()] = v;
    }
  }
  readCredentials(ctx, m, path, index, tier);
  return tier;
}

/** `vendor` and the capability overrides of one tier. */
function readCapabilities(ctx: Ctx, m: Record<string, Node | undefined>, path: string, tier: TierConfig): void {
  const vendor = str(ctx, m.vendor, `${path}.vendor`);
  if (vendor !== undefined && !VENDORS.includes(vendor as Vendor))
    fail(ctx, m.vendor, `${path}.vendor`, `unknown vendor "${vendor}": use one of ${VENDORS.join(', ')}`);
  if (vendor !== undefined) tier.vendor = vendor as Vendor;
  const vision = bool(ctx, m.vision, `${path}.vision`);
  if (vision !== undefined) tier.vision = vision;
  if (m.image_types !== undefined) {
    const types = strList(ctx, m.image_types, `${path}.image_types`);
    const bad = types.find((t) => !/^image\/[a-z0-9.+-]+$/.test(t));
    if (bad !== undefined) fail(ctx, m.image_types, `${path}.image_types`, `"${bad}" is not an image media type (write it like image/png)`);
    tier.imageTypes = types;
  }
  const documents = bool(ctx, m.documents, `${path}.documents`);
  if (documents !== undefined) tier.documents = documents;
  const window = int(ctx, m.context_window, `${path}.context_window`, 1024, 100_000_000);
  if (window !== undefined) tier.contextWindow = window;
}

/**
 * Whether a tier receives Claude Code's own credentials (docs/config.md, "Whose credentials go where"): tier 0 and Anthropic
 * itself do when they have no key of their own, a gateway that fronts Anthropic only with
 * `credentials: client`, a tier with its own key (api_key, or a key header) never.
 */
function readCredentials(ctx: Ctx, m: Record<string, Node | undefined>, path: string, index: number, tier: TierConfig): void {
  const credentials = str(ctx, m.credentials, `${path}.credentials`);
  if (credentials !== undefined && credentials !== 'client')
    fail(ctx, m.credentials, `${path}.credentials`, `unknown value "${credentials}": the only value is client`);
  if (credentials !== undefined && tier.protocol !== 'anthropic')
    fail(ctx, m.credentials, `${path}.credentials`, "only an anthropic tier can take Claude Code's own credentials");
  if (credentials !== undefined && (m.api_key !== undefined || hasKeyHeader(tier)))
    fail(
      ctx,
      m.credentials,
      `${path}.credentials`,
      `"client" sends Claude Code's own credentials, but this tier has its own key (api_key or a key header): remove one of them`,
    );
  const ownKey = tier.apiKey !== undefined || hasKeyHeader(tier);
  if (tier.protocol === 'anthropic' && !ownKey && (credentials === 'client' || index === 0 || isAnthropicApi(tier.baseUrl)))
    tier.clientCredentials = true;
}

function hasKeyHeader(tier: TierConfig): boolean {
  return tier.headers?.['x-api-key'] !== undefined || tier.headers?.authorization !== undefined;
}

/** A keyless anthropic tier that may not have the client's credentials would silently get them: an error. */
function refuseKeylessGateway(ctx: Ctx, node: Node, path: string, tier: TierConfig): void {
  if (tier.protocol !== 'anthropic' || tier.apiKey !== undefined || hasKeyHeader(tier) || tier.clientCredentials) return;
  fail(
    ctx,
    node,
    path,
    `"${tier.name}" (${tier.baseUrl}) has no api_key, so it would receive Claude Code's own API key or subscription token. ` +
      `Only tier 0 and ${FIRST_PARTY} get those: give the tier an api_key, or, for a gateway that fronts Anthropic and should get them, set credentials: client`,
  );
}

/** `price: {input, output, cache_read?, cache_write?, long_context?: {above, input, output, cache_read?, cache_write?}}`. */
function readPrice(ctx: Ctx, node: Node, path: string): Price {
  const p = readMap(ctx, node, path, ['input', 'output', 'cache_read', 'cache_write', 'long_context']);
  const rates = (m: Record<string, Node | undefined>, at: string, whole: Node): Rates => {
    const input = num(ctx, m.input, `${at}.input`);
    const output = num(ctx, m.output, `${at}.output`);
    if (input === undefined || output === undefined) fail(ctx, whole, at, 'needs input and output (USD per million tokens)');
    const r: Rates = { input, output };
    const cr = num(ctx, m.cache_read, `${at}.cache_read`);
    if (cr !== undefined) r.cacheRead = cr;
    const cw = num(ctx, m.cache_write, `${at}.cache_write`);
    if (cw !== undefined) r.cacheWrite = cw;
    return r;
  };
  const price: Price = rates(p, path, node);
  if (p.long_context !== undefined) {
    const at = `${path}.long_context`;
    const lc = readMap(ctx, p.long_context, at, ['above', 'input', 'output', 'cache_read', 'cache_write']);
    const above = int(ctx, lc.above, `${at}.above`, 1, 100_000_000);
    if (above === undefined)
      fail(ctx, p.long_context, `${at}.above`, 'required: the input tokens (input + cache) above which a request pays these rates');
    price.longContext = { above, ...rates(lc, at, p.long_context) };
  }
  return price;
}

/** `budget: {amount: 5, per: day|week|month}`: USD per UTC period. */
function readBudget(ctx: Ctx, node: Node, path: string): Budget {
  const b = readMap(ctx, node, path, ['amount', 'per']);
  const amount = num(ctx, b.amount, `${path}.amount`);
  if (amount === undefined) fail(ctx, node, `${path}.amount`, 'required: the most the tier may cost per period, in USD');
  if (amount === 0) fail(ctx, b.amount, `${path}.amount`, 'must be more than 0 (a tier that may cost nothing is a tier to remove)');
  const per = str(ctx, b.per, `${path}.per`);
  if (per === undefined) fail(ctx, node, `${path}.per`, `required: one of ${BUDGET_PERIODS.join(', ')}`);
  if (!BUDGET_PERIODS.includes(per as Budget['per']))
    fail(ctx, b.per, `${path}.per`, `unknown period "${per}": use one of ${BUDGET_PERIODS.join(', ')} (UTC)`);
  return { amount, per: per as Budget['per'] };
}

/** `97%`, `99.5%` or `allowed_warning` (docs/fallback.md, "Switch before the limit"); absent or `off`: undefined. */
function readSwitchBefore(ctx: Ctx, node: Node | undefined, path: string): SwitchBefore | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined || v === false || v === 'off') return undefined;
  const text = String(v).trim();
  if (text === 'allowed_warning') return { text, status: 'allowed_warning' };
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (!m)
    fail(
      ctx,
      node,
      path,
      `${JSON.stringify(v)} is not a threshold: write a percentage of the 5-hour or 7-day window (97%) or allowed_warning`,
    );
  const pct = Number(m[1]);
  // 0% would leave the tier on its first answer, and a window is spent at 100%: past it the 429 comes first.
  if (!(pct > 0 && pct <= 100)) fail(ctx, node, path, `${text} is not a possible threshold: use more than 0% and at most 100%`);
  return { text: `${m[1]}%`, utilization: pct / 100 };
}

/** The highest token threshold a rule may name: beyond any model's window (a typo, not a rule). */
const MAX_ROUTE_TOKENS = 100_000_000;

/**
 * `routes:`, checked in order (docs/routing.md). `declared` is every tier name in the file; a name among them whose
 * tier was left out (an unset `${VAR}`) is dropped from the rule, any other name is an error.
 */
function readRoutes(ctx: Ctx, node: Node | undefined, declared: string[], tiers: TierConfig[]): RouteRule[] {
  if (node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) fail(ctx, node, 'routes', 'must be a list of rules (name, conditions, tiers)');
  const names = new Set<string>();
  return node.items.map((item, i) => {
    const path = `routes[${i}]`;
    if (!isMap(item)) fail(ctx, item as Node, path, 'must be a mapping: name, tiers and at least one condition');
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key !== 'name' && key !== 'tiers' && !(ROUTE_CONDITIONS as readonly string[]).includes(key))
        fail(
          ctx,
          pair.key as Node,
          `${path}.${key}`,
          `unknown condition "${key}" (conditions: ${ROUTE_CONDITIONS.join(', ')}; and name, tiers)`,
        );
    }
    const m = readMap(ctx, item, path, ['name', 'tiers', ...ROUTE_CONDITIONS]);
    const name = str(ctx, m.name, `${path}.name`);
    if (!name) fail(ctx, item, `${path}.name`, 'every rule needs a name (the ledger and usage lines name it)');
    if (!/^[A-Za-z0-9._-]+$/.test(name)) fail(ctx, m.name, `${path}.name`, `"${name}" may hold only letters, digits, ".", "_" and "-"`);
    if (names.has(name)) fail(ctx, m.name, `${path}.name`, `duplicate rule name "${name}"`);
    names.add(name);
    const rule: RouteRule = { name, tiers: readRouteTiers(ctx, item, m.tiers, `${path}.tiers`, declared, tiers) };
    if (m.model !== undefined) rule.model = compileGlobs(globList(ctx, m.model, `${path}.model`));
    if (m.tools !== undefined) rule.tools = compileGlobs(globList(ctx, m.tools, `${path}.tools`));
    const over = int(ctx, m.tokens_over, `${path}.tokens_over`, 0, MAX_ROUTE_TOKENS);
    if (over !== undefined) rule.tokensOver = over;
    const under = int(ctx, m.tokens_under, `${path}.tokens_under`, 0, MAX_ROUTE_TOKENS);
    if (under === 0) fail(ctx, m.tokens_under, `${path}.tokens_under`, 'no request is under 0 tokens: this rule could never match');
    if (under !== undefined && over !== undefined && under <= over + 1)
      fail(
        ctx,
        m.tokens_under,
        `${path}.tokens_under`,
        `${under} leaves no count above tokens_over (${over}): this rule could never match`,
      );
    if (under !== undefined) rule.tokensUnder = under;
    const images = bool(ctx, m.images, `${path}.images`);
    if (images !== undefined) rule.images = images;
    if (m.headers !== undefined) rule.headers = readRouteHeaders(ctx, m.headers, `${path}.headers`);
    if (!ROUTE_CONDITIONS.some((k) => m[k] !== undefined))
      fail(
        ctx,
        item,
        path,
        `a rule needs at least one condition (${ROUTE_CONDITIONS.join(', ')}); the tier list itself is what no rule matches`,
      );
    return rule;
  });
}

function readRouteTiers(ctx: Ctx, rule: Node, node: Node | undefined, path: string, declared: string[], tiers: TierConfig[]): number[] {
  if (node === undefined) fail(ctx, rule, path, 'required: the tiers this rule uses, by name, in order (its own fallback chain)');
  const list = isSeq(node) ? node.items : [node];
  if (list.length === 0) fail(ctx, node, path, 'must name at least one tier');
  const out: number[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const at = isSeq(node) ? `${path}[${i}]` : path;
    const name = str(ctx, item as Node, at);
    if (!name || !declared.includes(name)) {
      const near = name ? closestName(name, declared) : null;
      fail(
        ctx,
        item as Node,
        at,
        `no tier named "${name ?? ''}"${near ? ` (did you mean "${near}"?)` : ''}; the tiers: ${declared.join(', ')}`,
      );
    }
    if (seen.has(name)) fail(ctx, item as Node, at, `"${name}" is named twice`);
    seen.add(name);
    const index = tiers.findIndex((t) => t.name === name);
    if (index >= 0) out.push(index); // else left out at load (an unset ${VAR}): the rule goes on without it
  });
  return out;
}

/** A glob or a list of globs, none empty. */
function globList(ctx: Ctx, node: Node, path: string): string[] {
  const list = isSeq(node) ? strList(ctx, node, path) : [str(ctx, node, path) ?? ''];
  if (list.length === 0 || list.some((g) => g === '')) fail(ctx, node, path, 'must be a name or glob (claude-haiku-*), or a list of them');
  return list;
}

function readRouteHeaders(ctx: Ctx, node: Node, path: string): HeaderCondition[] {
  if (!isMap(node) || node.items.length === 0)
    fail(ctx, node, path, 'must be a mapping of header name to true (present), false (absent) or the exact value');
  return node.items.map((pair) => {
    const name = isScalar(pair.key) ? String(pair.key.value).toLowerCase() : '';
    const at = `${path}.${name}`;
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) fail(ctx, pair.key as Node, at, `"${name}" is not a header name`);
    const v = scalar(ctx, pair.value as Node | undefined, at);
    if (typeof v === 'boolean') return { name, value: v };
    if (typeof v !== 'string' || v === '')
      fail(ctx, pair.value as Node, at, 'must be true (present), false (absent) or the exact value (a string)');
    return { name, value: v };
  });
}

// ---- node readers: each knows its key path and reports the node's line ----

function fail(ctx: Ctx, node: Node | null | undefined, path: string, message: string): never {
  const offset = node?.range?.[0];
  const where = offset === undefined ? ctx.file : `${ctx.file}:${ctx.lines.linePos(offset).line}`;
  throw new ConfigError(`${where}: ${path ? path + ': ' : ''}${message}`);
}

function readMap(ctx: Ctx, node: Node | null | undefined, path: string, known: string[]): Record<string, Node | undefined> {
  const out: Record<string, Node | undefined> = {};
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return out;
  if (!isMap(node)) fail(ctx, node, path, 'must be a mapping');
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyPath = path ? `${path}.${key}` : key;
    if (!known.includes(key)) fail(ctx, pair.key as Node, keyPath, `unknown key (known here: ${known.join(', ')})`);
    out[key] = (pair.value ?? undefined) as Node | undefined;
  }
  return out;
}

function expand(ctx: Ctx, text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = ctx.env[name];
    if (v === undefined || v === '') {
      ctx.unset.add(name);
      return '';
    }
    return v;
  });
}

function scalar(ctx: Ctx, node: Node | undefined, path: string): unknown {
  if (node === undefined) return undefined;
  if (!isScalar(node)) fail(ctx, node, path, 'must be a single value');
  return node.value ?? undefined;
}

function str(ctx: Ctx, node: Node | undefined, path: string): string | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(ctx, node, path, `must be a string, got ${JSON.stringify(v)}`);
  if (/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(v)) ctx.fromEnv.push({ path });
  return expand(ctx, v);
}

function num(ctx: Ctx, node: Node | undefined, path: string): number | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(ctx, node, path, `must be a number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}

function int(ctx: Ctx, node: Node | undefined, path: string, min: number, max: number): number | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(ctx, node, path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function bool(ctx: Ctx, node: Node | undefined, path: string): boolean | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(ctx, node, path, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A duration up to `max` (docs/config.md "Bounds"): past it Node's timers overflow, or the proxy would clamp it silently. */
function duration(ctx: Ctx, node: Node | undefined, path: string, max = MAX_DURATION_MS): number | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) fail(ctx, node, path, `bad duration ${JSON.stringify(v)}: write it like 15m, 10s or 500ms`);
  if (ms > max) fail(ctx, node, path, `${v} is too long: the largest allowed value is ${durationText(max)}`);
  return ms;
}

function size(ctx: Ctx, node: Node | undefined, path: string): number | undefined {
  const v = scalar(ctx, node, path);
  if (v === undefined) return undefined;
  const bytes = parseSize(String(v));
  if (bytes === undefined || bytes <= 0) fail(ctx, node, path, `bad size ${JSON.stringify(v)}: write it like 32MB`);
  return bytes;
}

function strList(ctx: Ctx, node: Node | undefined, path: string): string[] {
  if (node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) fail(ctx, node, path, 'must be a list');
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const v = str(ctx, item as Node, `${path}[${i}]`);
    if (v) out.push(v);
  });
  return out;
}

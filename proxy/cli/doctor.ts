// `claude-fallback doctor`: everything that must hold for the proxy to do its job in this repository, each
// finding with the fix when it does not: git and node versions, the config, each tier's key and
// reachability (proxy/cli/doctor-net.ts), the git hooks (installed, chained with the ones already there),
// the ledger (a run left open by a proxy that died), and the proxy's port. Reads only; changes nothing.

import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { locateConfig, type Config } from '../config.ts';
import { loadConfigWithTrust, type LoadedConfig } from '../trust/load.ts';
import { describeRemoval } from '../trust/policy.ts';
import { userConfigFile } from '../trust/user-dir.ts';
import { git } from '../git/git.ts';
import { ledgerPath, readLedger } from '../git/ledger.ts';
import { parseCommand } from './args.ts';
import { findRepo, type Repo } from './repo.ts';
import { runIsLive, runningProxy } from './proxy-file.ts';
import { openRun } from './stop.ts';
import { checkTier } from './doctor-net.ts';
import type { Runtime } from './runtime.ts';

export const DOCTOR_HELP = `usage: claude-fallback doctor [--repo DIR] [--config FILE] [--offline] [--json]

Checks, for this repository: git and node versions; the config (valid, which file); each
tier's key; each tier's reachability (DNS, TCP, TLS, and the vendor's model list with the
tier's key, a call that costs nothing); the git hooks (installed, chained with yours); the
ledger (a run left open by a proxy that died); the proxy's port. Every problem comes with
its fix. Exit code 0 when nothing failed, 1 otherwise. Changes nothing.

  --config FILE   the configuration to check (default: as start finds it)
  --offline       skip the network checks
  --json          {findings: [{check, status: ok|warn|fail, message, fix}]}
  --repo DIR      the repository (default: the one of the current directory)
  -h, --help      this help`;

export type Finding = { check: string; status: 'ok' | 'warn' | 'fail'; message: string; fix?: string };

/** git 2.24 is the oldest with every feature used: %(trailers:key=…,valueonly,separator=…) (2.22 / 2.24), interpret-trailers --no-divider, rev-parse --absolute-git-dir. */
export const MIN_GIT: [number, number] = [2, 24];

async function gitVersion(): Promise<Finding> {
  const r = await git('.', ['--version'], { reject: false });
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.stdout);
  if (r.exitCode !== 0 || !m)
    return {
      check: 'git',
      status: 'fail',
      message: `git does not run: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
      fix: 'install git (https://git-scm.com/downloads) and put it on PATH',
    };
  const [maj, min] = [Number(m[1]), Number(m[2])];
  if (maj < MIN_GIT[0] || (maj === MIN_GIT[0] && min < MIN_GIT[1]))
    return {
      check: 'git',
      status: 'fail',
      message: `git ${m[0]} is older than ${MIN_GIT.join('.')}`,
      fix: `update git to ${MIN_GIT.join('.')} or later (the hooks and review read trailers with its newer log formats)`,
    };
  return { check: 'git', status: 'ok', message: `git ${m[0]}` };
}

function nodeVersion(): Finding {
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj < 20 || (maj === 20 && min < 18))
    return {
      check: 'node',
      status: 'fail',
      message: `node ${process.versions.node} is older than 20.18`,
      fix: 'install Node.js 20.18 or later (22 LTS works too)',
    };
  return { check: 'node', status: 'ok', message: `node ${process.versions.node}` };
}

/** Which file this is, in words, and where to change it. */
function describeOrigin(loaded: Pick<LoadedConfig, 'origin'>, repo: Repo): string {
  switch (loaded.origin) {
    case 'command-line':
      return 'given with --config';
    case 'user':
      return 'your own config';
    case 'repository':
      return "the repository's own";
    case 'tool-default':
      return `the tool's default: Claude only unless its keys are set; do not edit it (an update replaces it), put your own in ${join(repo.top, '.fallbackrc.yaml')} for this repository, or in ${userConfigFile()} for all of them`;
  }
}

/** Whether the repository's config is trusted, and what is ignored until it is. */
function trustFinding(loaded: LoadedConfig): Finding | null {
  if (loaded.origin !== 'repository') return null;
  if (loaded.trust === 'store')
    return { check: 'trust', status: 'ok', message: 'you trusted this file as it is now (claude-fallback trust): it runs as written' };
  if (loaded.trust === 'path')
    return { check: 'trust', status: 'ok', message: 'trusted: it is under a folder of CLAUDE_FALLBACK_TRUSTED_PATHS' };
  if (loaded.removals.length === 0)
    return {
      check: 'trust',
      status: 'ok',
      message: 'not trusted, but it asks for nothing an untrusted config may not do: it runs as written',
    };
  return {
    check: 'trust',
    status: 'warn',
    message: `not trusted (someone else may have written it), so the proxy ignores:\n${loaded.removals.map((r) => `      ${describeRemoval(r)}`).join('\n')}`,
    fix: 'read the file; if you want it to run as written: claude-fallback trust (an edit to the file revokes it)',
  };
}

function configFindings(repo: Repo, file: string | undefined): { findings: Finding[]; config: Config | null } {
  const { file: path, origin } = locateConfig(file, repo.top);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfigWithTrust({ explicit: file, repo: repo.top });
  } catch (err) {
    const fix =
      origin === 'tool-default'
        ? "the tool's own file is broken: reinstall claude-fallback"
        : `edit ${path} where the message says (docs/config.md lists every key)`;
    return { findings: [{ check: 'config', status: 'fail', message: (err as Error).message, fix }], config: null };
  }
  // Doctor checks the config that runs: an untrusted file's own hosts are not sent a key here either.
  const config = loaded.config;
  const out: Finding[] = [
    {
      check: 'config',
      status: 'ok',
      message: `${path} (${describeOrigin(loaded, repo)}): ${config.tiers.length} tier${config.tiers.length === 1 ? '' : 's'}`,
    },
  ];
  const trust = trustFinding(loaded);
  if (trust) out.push(trust);
  for (const s of config.skipped) {
    const vars = s.reason.match(/\$[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
    out.push({
      check: `tier ${s.name}`,
      status: 'warn',
      message: `skipped: ${s.reason}`,
      fix: `${vars.map((v) => `export ${v.slice(1)}=…`).join('; ')} in the shell that starts claude-fallback, or remove the tier from ${path}`,
    });
  }
  config.tiers.forEach((t, i) => {
    if (t.apiKey) out.push({ check: `tier ${t.name}`, status: 'ok', message: 'key set' });
    else if (i === 0)
      out.push({
        check: `tier ${t.name}`,
        status: 'ok',
        message: "no key of its own: Claude Code's login or ANTHROPIC_API_KEY passes through",
      });
    else
      out.push({
        check: `tier ${t.name}`,
        status: 'warn',
        message: "no key of its own: it is sent Claude Code's Anthropic credentials",
        fix: `give ${t.name} an api_key unless it really is an Anthropic endpoint for the same account`,
      });
  });
  if (config.tiers.length === 0)
    out.push({
      check: 'config',
      status: 'fail',
      message: 'every tier is skipped: the proxy cannot start',
      fix: 'set the variables above, or add a tier',
    });
  return { findings: out, config };
}

async function tierNetwork(config: Config): Promise<Finding[]> {
  const results = await Promise.all(config.tiers.map((t) => checkTier(t).then((steps) => ({ t, steps }))));
  const out: Finding[] = [];
  for (const { t, steps } of results) {
    const failed = steps.find((s) => !s.ok);
    const warned = steps.find((s) => s.warn);
    const worst = failed ?? warned;
    const message = steps.map((s) => s.detail).join('; ');
    out.push({
      check: `tier ${t.name} reachable`,
      status: failed && !failed.warn ? 'fail' : worst ? 'warn' : 'ok',
      message,
      ...(worst?.fix ? { fix: worst.fix } : {}),
    });
  }
  return out;
}

const HOOK_MODE = {
  default: "git's own hooks folder",
  redirect: 'core.hooksPath points at our dispatchers',
  self: "this project's .husky",
} as const;

async function hookFindings(repo: Repo, rt: Runtime): Promise<Finding[]> {
  const mod = (await import(pathToFileURL(join(rt.root, 'proxy', 'git', 'install-hooks.mjs')).href)) as {
    HOOKS: string[];
    ORIGINAL_SUFFIX: string;
    hookTarget(repo: string): Promise<{ dir: string; mode: 'default' | 'redirect' | 'self'; top: string }>;
  };
  const target = await mod.hookTarget(repo.top);
  const missing: string[] = [];
  const foreign: string[] = [];
  const stale: string[] = [];
  const chained: string[] = [];
  for (const hook of mod.HOOKS) {
    const file = join(target.dir, hook);
    if (!existsSync(file)) {
      missing.push(hook);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    if (target.mode === 'self' && /\bhooks\/[a-z-]+/.test(text) && existsSync(join(repo.top, 'hooks', hook))) continue; // this project's own .husky/
    if (!text.includes('# claude-fallback stub:')) {
      foreign.push(hook);
      continue;
    }
    const here = /^fb_here='(.*)'$/m.exec(text)?.[1]?.replace(/'\\''/g, "'");
    if (here && !existsSync(join(here, hook))) stale.push(`${hook} (points at ${here})`);
    if (existsSync(file + mod.ORIGINAL_SUFFIX)) chained.push(hook);
  }
  const out: Finding[] = [];
  const fix = repo.top === process.cwd() ? 'claude-fallback hooks install' : `claude-fallback hooks install --repo ${repo.top}`;
  if (missing.length)
    out.push({
      check: 'hooks',
      status: 'fail',
      message: `not installed in ${target.dir}: ${missing.join(', ')} (commits get no Model: trailer, run tags do not move)`,
      fix: `${fix} (start does it too, unless --no-hooks)`,
    });
  if (foreign.length)
    out.push({
      check: 'hooks',
      status: 'fail',
      message: `${foreign.join(', ')} in ${target.dir} ${foreign.length === 1 ? 'is' : 'are'} another tool's, and ours are not chained with ${foreign.length === 1 ? 'it' : 'them'}`,
      fix: `${fix} (keeps yours and runs it first)`,
    });
  if (stale.length)
    out.push({
      check: 'hooks',
      status: 'fail',
      message: `stubs point at a claude-fallback that is gone: ${stale.join(', ')}`,
      fix: `${fix} (after moving or reinstalling claude-fallback)`,
    });
  if (!out.length)
    out.push({
      check: 'hooks',
      status: 'ok',
      message: `installed in ${target.dir} (${HOOK_MODE[target.mode]})${chained.length ? `; your earlier ${chained.join(', ')} run${chained.length === 1 ? 's' : ''} first` : ''}`,
    });
  return out;
}

function ledgerFindings(repo: Repo): Finding[] {
  const path = ledgerPath(repo.commonDir);
  if (!existsSync(path)) return [{ check: 'ledger', status: 'ok', message: `${path} does not exist yet (the first start writes it)` }];
  const events = readLedger(path);
  const run = openRun(events);
  const proxy = runningProxy(repo);
  if (run && !runIsLive(repo, run.pid) && !proxy) {
    return [
      {
        check: 'ledger',
        status: 'fail',
        message: `says ${run.active} is active since ${run.since}, but its proxy${run.pid ? ` (pid ${run.pid})` : ''} is not running: every commit is stamped Model: ${run.active}`,
        fix: 'claude-fallback stop (closes that run with a stop line)',
      },
    ];
  }
  return [
    {
      check: 'ledger',
      status: 'ok',
      message: `${path}: ${events.length} lines; ${run ? `${run.active} active (pid ${run.pid})` : 'no run open'}`,
    },
  ];
}

async function portFinding(repo: Repo, config: Config): Promise<Finding> {
  const proxy = runningProxy(repo);
  if (proxy) return { check: 'proxy', status: 'ok', message: `running: pid ${proxy.pid} on ${proxy.url}` };
  const { host, port } = config.proxy;
  if (port === 0) return { check: 'proxy', status: 'ok', message: 'not running; proxy.port 0 takes a free port' };
  const free = await new Promise<NodeJS.ErrnoException | null>((done) => {
    const s = createServer();
    s.once('error', (e) => done(e as NodeJS.ErrnoException));
    s.listen({ host, port, exclusive: true }, () => s.close(() => done(null)));
  });
  if (!free) return { check: 'proxy', status: 'ok', message: `not running; ${host}:${port} is free` };
  return {
    check: 'proxy',
    status: 'warn',
    message: `not running, and ${host}:${port} is taken (${free.code}): start would fail`,
    fix: 'stop what listens there, or pick another port: claude-fallback --port N -- claude (or proxy.port)',
  };
}

const MARK = { ok: '✓', warn: '!', fail: '✗' };

export function renderFindings(findings: Finding[]): string {
  return findings
    .map((f) => `${MARK[f.status]} ${f.check}: ${f.message}${f.fix && f.status !== 'ok' ? `\n    fix: ${f.fix}` : ''}`)
    .join('\n');
}

export async function runDoctor(argv: string[], rt: Runtime): Promise<number> {
  const args = parseCommand(
    argv,
    { config: { type: 'string' }, offline: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    DOCTOR_HELP,
  );
  if (!args) return 0;
  const { values } = args;
  const findings: Finding[] = [await gitVersion(), nodeVersion()];
  const repo = await findRepo(values.repo ?? process.cwd());
  const c = configFindings(repo, values.config);
  findings.push(...c.findings);
  if (c.config && !values.offline) findings.push(...(await tierNetwork(c.config)));
  findings.push(...(await hookFindings(repo, rt)));
  findings.push(...ledgerFindings(repo));
  if (c.config) findings.push(await portFinding(repo, c.config));
  if (values.json) process.stdout.write(JSON.stringify({ repo: repo.top, findings }, null, 2) + '\n');
  else process.stdout.write(`claude-fallback doctor for ${repo.top}\n${renderFindings(findings)}\n`);
  return findings.some((f) => f.status === 'fail') ? 1 : 0;
}

// The review CLI's read-only views on a real repository, checked against git's own answers.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import type { UsageEvent } from '../../proxy/git/ledger.ts';
import type { AnalyzeReport } from '../../proxy/review/analyze.ts';
import type { CostsReport } from '../../proxy/review/costs.ts';
import { BUILTIN_PRICES } from '../../proxy/prices.ts';
import type { Timeline } from '../../proxy/review/timeline.ts';
import { LEDGER, buildFixture, makeRepo, removeRepo, review, writeLedger, type Fixture } from './fixture.ts';

/** Per model, from `%(trailers)` and `git show --numstat` per commit: an independent second reading. */
async function gitTruth(dir: string) {
  const log = await git(dir, ['log', '--format=%H%x09%cI%x09%(trailers:key=Model,valueonly,separator=%x2C)']);
  const out = new Map<string, { shas: string[]; dates: string[]; added: number; removed: number; files: Set<string> }>();
  for (const line of log.stdout.trim().split('\n')) {
    const [sha, date, model] = line.split('\t');
    const key = model || '(none)';
    const m = out.get(key) ?? { shas: [], dates: [], added: 0, removed: 0, files: new Set<string>() };
    m.shas.push(sha);
    m.dates.push(date);
    const ns = await git(dir, ['show', '--numstat', '--format=', sha]);
    for (const row of ns.stdout.split('\n').filter(Boolean)) {
      const [a, r, path] = row.split('\t');
      m.added += Number(a);
      m.removed += Number(r);
      m.files.add(path);
    }
    out.set(key, m);
  }
  return out;
}

function usageOf(tier: string): UsageEvent[] {
  return LEDGER.filter((e): e is UsageEvent => e.kind === 'usage' && e.tier === tier);
}

describe('review views on a repository the hooks and proxy could have made', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await buildFixture();
    await writeLedger(fx.dir, LEDGER);
  });
  afterAll(() => removeRepo(fx.dir));

  it('--analyze --json: each model row has the commits, lines and files git reports for that model', async () => {
    const r = await review(['--analyze', '--json', '--repo', fx.dir]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as AnalyzeReport;
    const truth = await gitTruth(fx.dir);
    expect(report.rows.map((x) => x.model ?? '(none)').sort()).toEqual([...truth.keys()].sort());
    for (const row of report.rows) {
      const t = truth.get(row.model ?? '(none)');
      if (!t) throw new Error(`no truth for ${row.model}`);
      expect(row.commits).toBe(t.shas.length);
      expect(row.lines_added).toBe(t.added);
      expect(row.lines_removed).toBe(t.removed);
      expect(row.files).toBe(t.files.size);
      // git log lists newest first: its last line is the first commit
      expect(row.first_commit?.sha).toBe(t.shas[t.shas.length - 1]);
      expect(row.last_commit?.sha).toBe(t.shas[0]);
    }
    const all = [...truth.values()];
    expect(report.total.commits).toBe(all.reduce((n, t) => n + t.shas.length, 0));
    expect(report.total.lines_added).toBe(all.reduce((n, t) => n + t.added, 0));
    expect(report.total.files).toBe(new Set(all.flatMap((t) => [...t.files])).size);
  });

  it('--analyze: with no accepted tag every model commit is pending, and each run tag is one run', async () => {
    const report = JSON.parse((await review(['-a', '--json', '--repo', fx.dir])).stdout) as AnalyzeReport;
    const tagList = (await git(fx.dir, ['tag', '--list', 'model-*'])).stdout.trim().split('\n');
    for (const row of report.rows.filter((x) => x.model !== null)) {
      expect(row.pending).toBe(row.commits);
      expect(row.accepted + row.rolled_back).toBe(0);
      expect(row.runs).toBe(tagList.filter((t) => t.startsWith(`model-${row.model}-2`)).length);
    }
  });

  it('--analyze: tokens come from the usage lines; cost uses built-in prices and stays unknown without one', async () => {
    const report = JSON.parse((await review(['-a', '--json', '--repo', fx.dir])).stdout) as AnalyzeReport;
    const row = (m: string) => report.rows.find((x) => x.model === m);
    for (const tier of ['claude', 'gemini-flash', 'deepseek']) {
      expect(row(tier)?.usage?.input_tokens).toBe(usageOf(tier).reduce((n, e) => n + e.input_tokens, 0));
      expect(row(tier)?.usage?.output_tokens).toBe(usageOf(tier).reduce((n, e) => n + e.output_tokens, 0));
    }
    const p = BUILTIN_PRICES['claude-sonnet-4-5'];
    const claudeCost = usageOf('claude').reduce(
      (n, e) =>
        n +
        (e.input_tokens * p.input +
          e.output_tokens * p.output +
          e.cache_read_tokens * (p.cacheRead ?? 0) +
          e.cache_write_tokens * (p.cacheWrite ?? 0)) /
          1e6,
      0,
    );
    expect(row('claude')?.usage?.cost_usd).toBeCloseTo(claudeCost, 10);
    expect(row('deepseek')?.usage?.cost_usd).toBeNull();
    expect(row('deepseek')?.usage?.unpriced).toEqual(['deepseek/deepseek-v4-flash']);
    expect(report.total.usage?.cost_usd).toBeNull();
    const text = await review(['-a', '--repo', fx.dir]);
    expect(text.stdout).toMatch(/deepseek .*unpriced/);
    expect(text.stdout).not.toMatch(/deepseek .*\$0\b/);
  });

  it('--analyze: a tier price in the repository config prices that tier (unset ${VAR}s tolerated)', async () => {
    const dir = await makeRepo();
    try {
      writeFileSync(
        join(dir, '.fallbackrc.yaml'),
        [
          'tiers:',
          '  - name: deepseek',
          '    protocol: anthropic',
          '    base_url: https://api.deepseek.com/anthropic',
          '    api_key: ${SURELY_UNSET_REVIEW_KEY}',
          '    model: deepseek-v4-flash',
          '    price: {input: 0.5, output: 2}',
        ].join('\n'),
      );
      await writeLedger(dir, LEDGER);
      const r = await review(['-a', '--json', '--repo', dir]);
      expect(r.exitCode).toBe(0);
      const row = (JSON.parse(r.stdout) as AnalyzeReport).rows.find((x) => x.model === 'deepseek');
      const expected = usageOf('deepseek').reduce((n, e) => n + (e.input_tokens * 0.5 + e.output_tokens * 2) / 1e6, 0);
      expect(row?.usage?.cost_usd).toBeCloseTo(expected, 10);
    } finally {
      removeRepo(dir);
    }
  });

  it('--since/--until keep only the commits and usage lines inside the window', async () => {
    const r = await review(['-a', '--json', '--repo', fx.dir, '--since', '2026-11-22T00:00:00Z', '--until', '2026-11-22T23:59:59Z']);
    const report = JSON.parse(r.stdout) as AnalyzeReport;
    const inDay = (await git(fx.dir, ['log', '--since=2026-11-22T00:00:00Z', '--until=2026-11-22T23:59:59Z', '--format=%H'])).stdout
      .trim()
      .split('\n');
    expect(report.total.commits).toBe(inDay.length);
    expect(report.rows.filter((x) => x.commits > 0).map((x) => x.model)).toEqual(['deepseek']);
    expect(report.total.usage?.requests).toBe(LEDGER.filter((e) => e.kind === 'usage' && e.ts?.startsWith('2026-11-22')).length);
  });

  it('--since/--until refuse what git cannot read as a date, instead of an empty table', async () => {
    for (const flag of ['--since', '--until']) {
      const r = await review(['-a', '--repo', fx.dir, flag, 'garbage']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`${flag} "garbage" is not a date git understands`);
    }
  });

  it('fits an 80-column terminal: narrower than the table, each row prints as a block of column/value pairs', async () => {
    const wide = await review(['-a', '--repo', fx.dir]);
    expect(Math.max(...wide.stdout.split('\n').map((l) => l.length))).toBeGreaterThan(80);
    for (const view of ['-a', '--log', '--costs']) {
      const r = await review([view, '--repo', fx.dir], { env: { COLUMNS: '80' } });
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
      if (view === '-a') expect(r.stdout).toMatch(/^total\n {2}commits \d+ · pending \d+/m);
    }
  });

  it('--log: one entry per start/switch/stop, with how long the model before ran', async () => {
    const r = await review(['--log', '--json', '--repo', fx.dir]);
    expect(r.exitCode).toBe(0);
    const t = JSON.parse(r.stdout) as Timeline;
    const lines = LEDGER.filter((e) => e.kind === 'start' || e.kind === 'switch' || e.kind === 'stop');
    expect(t.entries.map((e) => e.kind)).toEqual(lines.map((e) => e.kind));
    const toDeepseek = t.entries.find((e) => e.to === 'deepseek');
    expect(toDeepseek?.from).toBe('gemini-flash');
    expect(toDeepseek?.ran_ms).toBe(Date.parse('2026-11-22T11:00:00Z') - Date.parse('2026-11-21T10:00:00Z'));
    expect(t.entries.find((e) => e.to === 'gemini-flash')?.commit).toBe('abc123abc123abc123');
    expect(t.active).toBeNull();
    const text = await review(['--log', '--repo', fx.dir]);
    expect(text.stdout).toContain('rate_limit (429)');
    expect(text.stdout).toContain('25h'); // gemini-flash ran 25 hours
  });

  it('--costs: by model and by UTC day, the sums of the usage lines', async () => {
    const r = await review(['--costs', '--json', '--repo', fx.dir]);
    const c = JSON.parse(r.stdout) as CostsReport;
    const usage = LEDGER.filter((e): e is UsageEvent => e.kind === 'usage');
    expect(c.by_day.map((d) => d.day)).toEqual([...new Set(usage.map((e) => (e.ts as string).slice(0, 10)))].sort());
    for (const d of c.by_day)
      expect(d.output_tokens).toBe(usage.filter((e) => e.ts?.startsWith(d.day)).reduce((n, e) => n + e.output_tokens, 0));
    expect(c.by_model.find((m) => m.model === 'claude')?.requests).toBe(usageOf('claude').length);
    expect(c.total.input_tokens).toBe(usage.reduce((n, e) => n + e.input_tokens, 0));
  });

  it('no colour without a terminal, nor with NO_COLOR: no ANSI escapes in any view or error', async () => {
    for (const args of [['-a'], ['--log'], ['--costs'], ['-s', 'deepseek', '--all'], ['--rollback', 'nobody']]) {
      for (const env of [{}, { NO_COLOR: '1', FORCE_COLOR: '1' }] as Record<string, string>[]) {
        const r = await review([...args, '--repo', fx.dir], { env });
        expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
      }
    }
  });

  it('--show: the pending commits of a model with their diffs; --all adds the rest', async () => {
    const r = await review(['--show', 'deepseek', '--repo', fx.dir]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`commit ${fx.shas.d2}`);
    expect(r.stdout).toContain(`commit ${fx.shas.d1}`);
    expect(r.stdout).toContain('+line2 deepseek');
    expect(r.stdout).not.toContain(fx.shas.g1);
    const j = JSON.parse((await review(['-s', 'gemini-flash', '--json', '--repo', fx.dir])).stdout) as {
      commits: { sha: string; diff: string }[];
    };
    expect(j.commits.map((c) => c.sha)).toEqual([fx.shas.g2, fx.shas.g1]);
    expect(j.commits[1].diff).toContain('+a1');
  });
});

describe('review errors a user can act on', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await buildFixture();
  });
  afterAll(() => removeRepo(fx.dir));

  it('outside a git repository: exit 3 and says so', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'review-plain-'));
    try {
      const r = await review(['-a', '--repo', plain]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain(`${plain} is not a git repository`);
    } finally {
      removeRepo(plain);
    }
  });

  it('an unknown model: exit 2 and the known models listed', async () => {
    const r = await review(['--rollback', 'gpt-9', '--repo', fx.dir]);
    expect(r.exitCode).toBe(2);
    for (const m of ['claude', 'gemini-flash', 'deepseek']) expect(r.stderr).toContain(m);
    const j = await review(['--accept', 'gpt-9', '--json', '--repo', fx.dir]);
    expect(JSON.parse(j.stdout).error.known_models).toEqual(expect.arrayContaining(['claude', 'gemini-flash', 'deepseek']));
  });

  it('no ledger yet: --log and --costs exit 3 and say how to start the proxy; --analyze still runs', async () => {
    for (const view of ['--log', '--costs']) {
      const r = await review([view, '--repo', fx.dir]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain('no ledger yet');
      expect(r.stderr).toContain('start the proxy');
    }
    const a = await review(['-a', '--json', '--repo', fx.dir]);
    expect(a.exitCode).toBe(0);
    expect((JSON.parse(a.stdout) as AnalyzeReport).total.usage).toBeNull();
  });

  it('bad arguments: exit 2; -h explains every option', async () => {
    expect((await review(['--log', '--costs', '--repo', fx.dir])).exitCode).toBe(2);
    expect((await review(['--frobnicate'])).exitCode).toBe(2);
    expect((await review(['--dry-run', '--repo', fx.dir])).exitCode).toBe(2);
    const h = await review(['-h']);
    expect(h.exitCode).toBe(0);
    for (const opt of [
      '--analyze',
      '--show',
      '--all',
      '--accept',
      '--test',
      '--rollback-on-fail',
      '--rollback',
      '--dry-run',
      '--log',
      '--costs',
      '--json',
      '--repo',
      '--since',
      '--until',
      'NO_COLOR',
      'Exit codes',
    ])
      expect(h.stdout).toContain(opt);
  });
});

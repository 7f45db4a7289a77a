// The views behind the CLI, loaded while the history pass runs: one function per view, text or JSON out.

import { Chalk, type ChalkInstance } from 'chalk';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { git } from '../git/git.ts';
import type { IO, Values, View } from './options.ts';
import { accept } from './accept.ts';
import { analyze } from './analyze.ts';
import { costsReport, usageByTier as usageByTierOf } from '../ledger/usage-query.ts';
import { EXIT } from '../exit-codes.ts';
import { ReviewError } from './errors.ts';
import { priceLookup } from '../prices.ts';
import { renderAccept, renderAnalyze, renderCosts, renderRollback, renderShow, renderTimeline } from './render.ts';
import { requireLedger, requireModel, type RepoState } from './repo-state.ts';
import { rollback } from './rollback.ts';
import { show } from './show.ts';
import { timeline } from './timeline.ts';
import type { Window } from './usage.ts';

export function useColor(io: Pick<IO, 'env' | 'isTTY'>): boolean {
  return io.isTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');
}

export function chalkFor(io: Pick<IO, 'env' | 'isTTY'>): ChalkInstance {
  return new Chalk({ level: useColor(io) ? 1 : 0 });
}

/** Sends text through the user's git pager (`git var GIT_PAGER`), as `git log` would. */
async function page(repo: string, text: string, io: IO): Promise<void> {
  const pager = (await git(repo, ['var', 'GIT_PAGER'], { reject: false })).stdout.trim();
  if (!pager || pager === 'cat') return io.stdout(text);
  // git's own defaults for less and lv: quit when it fits, keep colours.
  const env = { ...io.env, LESS: io.env.LESS ?? 'FRX', LV: io.env.LV ?? '-c' };
  await new Promise<void>((done) => {
    const child = spawn(pager, { shell: true, env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', () => done());
    child.on('close', () => done());
    child.stdin.on('error', () => {}); // the user quit before the end
    child.stdin.end(text);
  });
}

export async function runView(view: View, values: Values, state: RepoState, window: Window, io: IO): Promise<number> {
  const c = chalkFor(io);
  const lookup = priceLookup(state.config);
  const out = (json: unknown, text: () => string) => io.stdout(values.json ? JSON.stringify(json, null, 2) + '\n' : text());

  switch (view) {
    case 'analyze': {
      const { commits, graph, statuses, tags, ledger, summary } = state;
      const usageByTier = summary ? await usageByTierOf(state.ledgerFile, summary, window, lookup) : undefined;
      const report = analyze({
        commits,
        graph,
        statuses,
        tags,
        ledger,
        usageByTier,
        tierOrder: state.config.tiers.map((t) => t.name),
        window,
        lookup,
      });
      out(report, () => renderAnalyze(report, c, io.columns));
      return EXIT.ok;
    }
    case 'log': {
      const t = timeline(requireLedger(state), window, Date.now(), state.proxy !== null);
      out(t, () => renderTimeline(t, c, io.columns));
      return EXIT.ok;
    }
    case 'costs': {
      requireLedger(state);
      const r = await costsReport(state.ledgerFile, state.summary!, window, lookup);
      out(r, () => renderCosts(r, c, io.columns));
      return EXIT.ok;
    }
    case 'show': {
      const tier = requireModel(state, values.show as string);
      const all = Boolean(values.all);
      const commits = await show(state, tier, { all, color: !values.json && c.level > 0, header: !values.json });
      if (values.json) out({ model: tier, all, commits }, () => '');
      else if (io.isTTY) await page(state.repo, renderShow(tier, commits, all, c), io);
      else io.stdout(renderShow(tier, commits, all, c));
      return EXIT.ok;
    }
    case 'accept': {
      const tier = requireModel(state, values.accept as string);
      const r = await accept(state, tier, { test: values.test, rollbackOnFail: values['rollback-on-fail'] });
      out(r, () => renderAccept(r, c));
      return r.accepted ? EXIT.ok : EXIT.refused;
    }
    case 'blame': {
      const { blameFile, BlameError } = await import('../blame/blame.ts');
      const { blameJson, renderBlame, terminalChalk } = await import('../blame/render.ts');
      const file = resolve(io.cwd, values.blame as string);
      const lines = await blameFile(state.repo, file, { rev: values.rev }).catch((err: Error) => {
        throw err instanceof BlameError ? new ReviewError(`--blame ${values.blame}: ${err.message}`, EXIT.failed) : err;
      });
      const tiers = state.config.tiers.map((t) => t.name);
      out(blameJson(values.blame as string, values.rev ?? null, lines), () => renderBlame(lines, terminalChalk(io), tiers));
      return EXIT.ok;
    }
    case 'lines': {
      const { linesAtHead } = await import('../blame/survivors.ts');
      const { renderLines, terminalChalk } = await import('../blame/render.ts');
      const tiers = state.config.tiers.map((t) => t.name);
      const r = state.head ? await linesAtHead(state.repo, tiers) : { files: 0, notes: 0, rows: [], total: 0 };
      out(r, () => renderLines(r, terminalChalk(io), tiers));
      return EXIT.ok;
    }
    case 'rollback': {
      const tier = requireModel(state, values.rollback as string);
      const r = await rollback(state, tier, { dryRun: values['dry-run'] });
      out(r, () => renderRollback(r, c));
      return EXIT.ok;
    }
  }
}

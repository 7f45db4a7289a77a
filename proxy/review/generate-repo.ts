// Builds a large repository of model runs quickly with `git fast-import`, for the review benchmark and tests.

import { mkdirSync, writeFileSync } from 'node:fs';
import { git, gitCommonDir } from '../git/git.ts';
import { ledgerPath, type LedgerEvent } from '../git/ledger.ts';
import { stampOf } from './tags.ts';

export type GenerateOptions = {
  commits: number;
  /** Tier names; runs take turns in this order. */
  models: string[];
  /** Commits per run (default 25). */
  runLength?: number;
  /** Distinct files the commits touch (default 200). */
  files?: number;
  /** Every n-th commit has no `Model:` trailer (default 50; 0 for none). */
  unstampedEvery?: number;
  tagPrefix?: string;
  /** Also write a ledger: a start, a switch per run and a usage line per commit (default true). */
  ledger?: boolean;
  /** The first commit's time (default 2026-01-01T00:00:00Z); each next commit is a minute later. */
  start?: number;
};

export type Generated = { commits: number; runs: number; tags: string[] };

const LINES_PER_FILE = 20;

export async function generateRepo(dir: string, opts: GenerateOptions): Promise<Generated> {
  const runLength = opts.runLength ?? 25;
  const fileCount = opts.files ?? 200;
  const unstampedEvery = opts.unstampedEvery ?? 50;
  const prefix = opts.tagPrefix ?? 'model-';
  const start = opts.start ?? Date.UTC(2026, 0, 1);
  mkdirSync(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  for (const [k, v] of [
    ['user.name', 'Generator'],
    ['user.email', 'gen@example.com'],
    ['commit.gpgsign', 'false'],
  ])
    await git(dir, ['config', k, v]);

  const contents: string[][] = Array.from({ length: fileCount }, () => []);
  const chunks: string[] = [];
  const events: LedgerEvent[] = [];
  const tags: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const iso = (t: number) => new Date(t).toISOString();
  let runStart = start;
  for (let i = 0; i < opts.commits; i++) {
    const time = start + i * 60_000;
    const run = Math.floor(i / runLength);
    const model = opts.models[run % opts.models.length];
    if (i % runLength === 0) {
      runStart = time;
      const previous = run > 0 ? opts.models[(run - 1) % opts.models.length] : null;
      events.push(
        previous === null
          ? { ts: iso(time), kind: 'start', active: model, tiers: opts.models, pid: 1, port: 8000 }
          : { ts: iso(time), kind: 'switch', from: previous, to: model, reason: 'rate_limit', status: 429, commit: null },
      );
    }
    const stamped = unstampedEvery === 0 || (i + 1) % unstampedEvery !== 0;
    const f = (i * 7919) % fileCount;
    const lines = contents[f];
    lines.push(`line ${i} by ${stamped ? model : 'a human'}`);
    if (lines.length > LINES_PER_FILE) lines.shift();
    const secs = Math.floor(time / 1000);
    const message = stamped ? `change ${i}\n\nModel: ${model}\n` : `change ${i}\n`;
    chunks.push(
      `commit refs/heads/main\nmark :${i + 1}\nauthor Generator <gen@example.com> ${secs} +0000\ncommitter Generator <gen@example.com> ${secs} +0000\n` +
        data(message) +
        (i > 0 ? `from :${i}\n` : '') +
        `M 100644 inline src/d${f % 20}/file${f}.ts\n` +
        data(lines.join('\n') + '\n'),
    );
    if (stamped) {
      events.push({
        ts: iso(time + 30_000),
        kind: 'usage',
        tier: model,
        model: 'claude-sonnet-4-5',
        input_tokens: 1000 + (i % 97),
        output_tokens: 100 + (i % 13),
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        ms: 500,
        stream: true,
      });
    }
    const runEnds = (i + 1) % runLength === 0 || i === opts.commits - 1;
    if (runEnds) {
      const name = `${prefix}${model}-${stampOf(runStart)}`;
      tags.push(name);
      chunks.push(`reset refs/tags/${name}\nfrom :${i + 1}\n\n`);
    }
  }
  await git(dir, ['fast-import', '--quiet'], { input: chunks.join('') });
  await git(dir, ['reset', '-q', '--hard', 'main']);
  if (opts.ledger ?? true) {
    writeFileSync(ledgerPath(await gitCommonDir(dir)), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  return { commits: opts.commits, runs: tags.length, tags };
}

// The review CLI's options, the values parsed from them, the view they choose and the IO a run writes to.

import type { parseArgs } from 'node:util';

export type IO = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  cwd: string;
  /** The terminal's width (or COLUMNS): tables wider than this print one block per row. */
  columns?: number;
};

export const OPTIONS = {
  analyze: { type: 'boolean', short: 'a' },
  show: { type: 'string', short: 's' },
  all: { type: 'boolean' },
  accept: { type: 'string' },
  test: { type: 'string' },
  'rollback-on-fail': { type: 'boolean' },
  rollback: { type: 'string' },
  'dry-run': { type: 'boolean' },
  log: { type: 'boolean' },
  costs: { type: 'boolean' },
  blame: { type: 'string' },
  rev: { type: 'string' },
  lines: { type: 'boolean' },
  json: { type: 'boolean' },
  repo: { type: 'string' },
  config: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
export type View = 'analyze' | 'show' | 'accept' | 'rollback' | 'log' | 'costs' | 'blame' | 'lines';

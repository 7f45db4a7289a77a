// What the running proxy knows beyond its tier state: Claude's subscription limits, today's usage by model, and
// whether Claude Code works in this repository. The Run (proxy/run/run.ts) creates these parts, feeds today's usage
// from its events, and turns their changes into events; its snapshot (proxy/run/snapshot.ts) reads them.
//
// Registration points (one line each): the Run creates it; messages requests call workdir.observe; the switcher
// gets workdir.guard(autoCommit); the engine calls rateLimits.record for each upstream answer.

import type { Config } from '../config.ts';
import { createRateLimitRecorder, type RateLimitRecorder } from './rate-limits.ts';
import { createUsageToday, type UsageToday } from './usage-today.ts';
import { createWorkdirCheck, type WorkdirCheck } from './workdir-check.ts';

export type LiveStatusOptions = {
  config: Pick<Config, 'tiers'>;
  repo: string;
  log: (line: string) => void;
};

export type LiveStatus = {
  rateLimits: RateLimitRecorder;
  workdir: WorkdirCheck;
  usage: UsageToday;
};

export function createLiveStatus(opts: LiveStatusOptions): LiveStatus {
  return { rateLimits: createRateLimitRecorder(), usage: createUsageToday(opts.config), workdir: createWorkdirCheck(opts.repo, opts.log) };
}

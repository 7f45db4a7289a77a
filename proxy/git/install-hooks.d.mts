// Types of proxy/git/install-hooks.mjs for the TypeScript callers (tests, start scripts written in TS).

export type HookMode = 'default' | 'redirect' | 'self';
export type HookTarget = {
  top: string;
  commonDir: string;
  stateDir: string;
  defaultDir: string;
  effective: string;
  configured: string | null;
  local: string | null;
  exclude: string;
  previous: { local: string | null; team: string } | null;
  mode: HookMode;
  dir: string;
};
export type InstallResult = {
  mode: HookMode;
  dir: string;
  /** redirect mode: the team's hooks path the dispatchers run first. */
  team: string | null;
  installed: string[];
  chained: string[];
  updated: string[];
  unchanged: string[];
  skipped: string[];
  /** True when this install set core.hooksPath (first install, or after husky's prepare reset it). */
  redirected: boolean;
};
export type UninstallResult = { mode: HookMode; dir: string; removed: string[]; restored: string[]; skipped: string[] };

export const HOOKS: readonly string[];
export const CLIENT_HOOKS: readonly string[];
export const PROJECT_HOOKS_DIR: string;
export const STATE_DIR: string;
export const ORIGINAL_SUFFIX: string;
export function hookTarget(repo: string): Promise<HookTarget>;
export function stubText(hook: string, tagPrefix?: string): string;
export function dispatcherText(hook: string, team: string, tagPrefix?: string): string;
export function installHooks(repo: string, opts?: { hooksDir?: string; tagPrefix?: string }): Promise<InstallResult>;
export function uninstallHooks(repo: string): Promise<UninstallResult>;
export function withExcludeBlock(text: string | null, entries: readonly string[]): string | null;
export function main(args: string[]): Promise<number>;

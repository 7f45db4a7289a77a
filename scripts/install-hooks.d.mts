// Types of scripts/install-hooks.mjs for the TypeScript callers (tests, start scripts written in TS).

export type HookStyle = 'git' | 'husky';
export type HookTarget = { top: string; commonDir: string; exclude: string; dir: string; style: HookStyle };
export type InstallResult = {
  dir: string;
  style: HookStyle;
  installed: string[];
  chained: string[];
  updated: string[];
  unchanged: string[];
  skipped: string[];
};
export type UninstallResult = { dir: string; removed: string[]; restored: string[]; skipped: string[] };

export const HOOKS: readonly string[];
export const PROJECT_HOOKS_DIR: string;
export const ORIGINAL_SUFFIX: string;
export function hookTarget(repo: string): Promise<HookTarget>;
export function stubText(hook: string, style: HookStyle, hooksDir?: string): string;
export function installHooks(repo: string, opts?: { hooksDir?: string }): Promise<InstallResult>;
export function uninstallHooks(repo: string): Promise<UninstallResult>;
export function withExcludeBlock(text: string | null, entries: readonly string[]): string | null;
export function main(args: string[]): Promise<number>;

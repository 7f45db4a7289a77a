// `claude-fallback` as a user installs it: `npm install -g` into a temporary prefix, from this clone (npm
// links the folder) or from the tarball `npm pack` makes (a real copy, dependencies from the registry).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export type Installed = { prefix: string; bin: string };

const npm = (args: string[], cwd = ROOT) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: 'pipe', encoding: 'utf8' });

export function installFromClone(): Installed {
  const prefix = realpathSync(mkdtempSync(join(tmpdir(), 'cf-prefix-')));
  npm(['install', '-g', '--prefix', prefix, ROOT]);
  return { prefix, bin: join(prefix, 'bin', 'claude-fallback') };
}

/** `npm pack` (its prepack builds dist/), then `npm install -g <tarball>`. */
export function installFromTarball(): Installed & { tarball: string } {
  const out = realpathSync(mkdtempSync(join(tmpdir(), 'cf-pack-')));
  npm(['pack', '--pack-destination', out]);
  const tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
  const prefix = realpathSync(mkdtempSync(join(tmpdir(), 'cf-prefix-')));
  npm(['install', '-g', '--prefix', prefix, tarball]);
  return { prefix, bin: join(prefix, 'bin', 'claude-fallback'), tarball };
}

/** The environment the tests run the bin with: no vendor keys, no notifications, no tsx on PATH (the same node). */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '').split(':').filter((p) => p && !existsSync(join(p, 'tsx')));
  return { ...process.env, PATH: path.join(':'), GEMINI_API_KEY: '', DEEPSEEK_API_KEY: '', DISCORD_WEBHOOK_URL: '', NO_COLOR: '1', ...extra };
}

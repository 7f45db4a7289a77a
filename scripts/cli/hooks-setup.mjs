// Run by `claude-fallback start` in a process of its own, so the proxy and the command need not wait: installs
// the git hooks into the repository (scripts/install-hooks.mjs) and records the tag prefix the hooks use. With
// --again (the hooks watcher, proxy/cli/hooks-watch.ts, after the repository's config changed) it says when
// core.hooksPath was moved and the hooks are chained after the new ones.
// Usage: node scripts/cli/hooks-setup.mjs REPO TAG_PREFIX [--again]

import { execFileSync } from 'node:child_process';
import { installHooks } from '../../proxy/git/install-hooks.mjs';

const [repo, tagPrefix, again] = process.argv.slice(2);
try {
  const r = await installHooks(repo);
  if (again === '--again' && r.redirected)
    console.error(`warning: core.hooksPath was changed (husky's prepare?): the fallback hooks run again, after the hooks in ${r.team}`);
  else if (r.installed.length + r.chained.length + r.updated.length > 0)
    console.error(`hooks installed in ${r.dir}: ${[...r.installed, ...r.chained, ...r.updated].join(', ')}`);
  for (const s of r.skipped) console.error(`warning: ${s}`);
  execFileSync('git', ['-C', repo, 'config', 'fallback.tagPrefix', tagPrefix], { stdio: 'ignore' });
} catch (err) {
  console.error(`warning: installing the git hooks into ${repo} failed: ${err.stderr?.toString().trim() || err.message}`);
  process.exitCode = 1;
}

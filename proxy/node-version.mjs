// The Node.js version this package supports (package.json `engines`), checked by the commands themselves at start
// (bin/claude-fallback.mjs, scripts/start.mjs) before they load anything that an older Node cannot run, and by
// `doctor`. Plain JavaScript with no imports, so it loads on any Node.

export const NODE_MIN = [20, 18];

/** The one-line error for a Node older than NODE_MIN, or null when `version` ("20.17.0") is recent enough. */
export function nodeTooOld(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  if (major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1])) return null;
  return `claude-fallback needs Node.js ${NODE_MIN.join('.')} or later; this is node ${version} (${process.execPath}): install a newer Node.js (22 LTS works too)`;
}

// The attribution notes' ref (docs/git.md, "Line attribution notes"), the one name every reader and writer uses:
// plain JavaScript so the hook installer (proxy/git/install-hooks.mjs) shares it too. Types: notes-ref.d.mts.

export const NOTES_REF = 'refs/notes/claude-fallback';
/** `git notes --ref=<this>` (git prefixes refs/notes/ itself). */
export const NOTES_REF_NAME = 'claude-fallback';

// Types of notes-ref.mjs.
export declare const NOTES_REF: 'refs/notes/claude-fallback';
export declare const NOTES_REF_NAME: 'claude-fallback';

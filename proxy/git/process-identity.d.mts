// Types of process-identity.mjs.
/** A process as run files name it: its pid and its start time as processStart reads it. */
export type ProcessIdentity = { pid: number; start: string };
/** The start time of a process as run files record it, null when it does not exist. */
export declare function processStart(pid: number): string | null;
/** This process's identity, or another's (a child just spawned), null when it is gone. */
export declare function processIdentity(pid?: number): ProcessIdentity | null;
/** True when the process runs, is not a zombie, and is the same one (same start time). */
export declare function isAlive(id: ProcessIdentity): boolean;

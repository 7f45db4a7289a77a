// The messages between the launcher (start.ts) and the proxy's own process (scripts/cli/proxy-process.ts) over
// Node's IPC channel: in {type:"start", options}; {type:"command", command}; {type:"stop"}; {type:"stop-now"};
// out {type:"ready", port}; {type:"failed", message}; {type:"grace", message}.

import type { Launch } from '../run/run-hold.ts';
import type { ProcessIdentity } from '../git/process-identity.mjs';

export type StartOptions = {
  repo: string;
  configFile?: string;
  port?: number;
  verbose: boolean;
  fd?: number;
  launch?: Launch;
  /** Watch the hooks while running: the installer to run again, and the tag prefix. */
  hooks?: { setup: string; tagPrefix: string };
};
export type ToProxy =
  { type: 'start'; options: StartOptions } | { type: 'command'; command: ProcessIdentity } | { type: 'stop' } | { type: 'stop-now' };
export type FromProxy = { type: 'ready'; port: number } | { type: 'failed'; message: string } | { type: 'grace'; message: string };

// The one way a streamed answer is written to Claude Code, for the relay and for pass-through alike:
// with backpressure (wait for `drain`), and never waiting on a client that has gone.

import type { ServerResponse } from 'node:http';

export function writeToClient(res: ServerResponse, chunk: Buffer | string): Promise<void> | void {
  if (res.destroyed) return;
  if (res.write(chunk)) return;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

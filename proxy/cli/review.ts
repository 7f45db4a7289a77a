// `claude-fallback review …`: the review of proxy/review/main.ts (as `npm run review`), the same options
// (`claude-fallback review -h`), for the repository of the current directory.

import { main as reviewMain } from '../review/main.ts';

export async function runReview(argv: string[]): Promise<number> {
  const env = { ...process.env };
  delete env.INIT_CWD; // review's default repository is npm's start directory; here it is the current one
  return reviewMain(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env,
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
  });
}

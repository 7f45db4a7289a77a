// The review CLI as the dashboard starts it in a child process (review-cli.ts): proxy/review/main.ts's main with this
// process's arguments and streams. An entry of its own, so that the dist/ bundle has a file that runs review when
// started (scripts/cli/dist.mjs ENTRIES.review); review.ts itself may land in a chunk shared with the CLI.

import { main } from '../review/main.ts';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTTY: false,
  cwd: process.cwd(),
});

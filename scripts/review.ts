// Entry point of the review CLI (`npm run review -- -h`, `npx tsx scripts/review.ts …`): runs proxy/review/main.ts
// with the process's streams. The review itself lives in the library (proxy/review/). Also the child the dashboard
// starts for its review views (proxy/dashboard/review-cli.ts), bundled as dist.mjs's `review` entry.

import { main, type IO } from '../proxy/review/main.ts';

const io: IO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  columns: (process.stdout.isTTY && process.stdout.columns) || Number(process.env.COLUMNS) || undefined,
};
process.exitCode = await main(process.argv.slice(2), io);

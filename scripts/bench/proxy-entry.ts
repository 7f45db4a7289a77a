// Child-process entry: the real proxy (startApp) for a repository and config; prints {"port":N} on stdout.
// Usage: node --import tsx scripts/bench/proxy-entry.ts REPO CONFIG

import { startApp } from '../../proxy/app.ts';

async function main(repo: string, configFile: string): Promise<void> {
  // Log lines go to stderr as with start.mjs; no variables from the bench's environment leak into the config.
  const app = await startApp({ repo, configFile, env: {} });
  process.stdout.write(JSON.stringify({ port: app.port }) + '\n');
  process.on('SIGTERM', () => {
    // A clean exit, so that --cpu-prof writes its profile.
    void app.proxy.close(200).finally(() => process.exit(0));
  });
}

void main(process.argv[2], process.argv[3]).catch((err: unknown) => {
  process.stderr.write(`proxy-entry: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

// The status line's issue-21 parts as users get them: the quota state before a switch (`claude · 5h 91% 7d 40% →
// deepseek at 97%`) and today's fallback spend (`today $1.40 (deepseek $0.40)`), from `claude-fallback` installed
// from this clone (the sources) and from the packed tarball in a temporary prefix (the files npm ships), with a real
// proxy (`claude-fallback start`) in front of a strict Anthropic fake that sends the unified rate-limit headers and a
// DeepSeek fake, both reporting usage the config prices. The line is read the three ways it is shown: `status
// --json`, `claude-fallback statusline` (node) and the shipped `statusline.sh` (Claude Code's fast path).

import Anthropic from '@anthropic-ai/sdk';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, installFromClone, packedInstall, type Installed } from './installed.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { startStrictAnthropic, unifiedLimitHeaders } from '../helpers/strict-anthropic.ts';
import { startFakeDeepSeek } from '../helpers/fake-deepseek-anthropic.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import { startTree, stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import type { FakeUpstream } from '../helpers/fake-upstream.ts';

const MILLION = 1_000_000;
const env = cliEnv();
const fakes: FakeUpstream[] = [];
const repos: string[] = [];
const dirs: string[] = [];
afterEach(async () => {
  stopAllTrees();
  while (fakes.length) await fakes.pop()!.close();
});
afterAll(async () => {
  expect(await waitForNoLeftovers(repos), 'processes left running in the test repositories').toEqual([]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `claude-fallback start` in the foreground; resolves with the URL it prints. */
async function startForeground(bin: string, repo: string, args: string[]): Promise<{ url: string; proc: ResultPromise }> {
  const proc = startTree(bin, ['start', '--no-hooks', ...args], { cwd: repo, env, reject: false });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export ANTHROPIC_BASE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void proc.then((r) => reject(new Error(`start exited ${r.exitCode}: ${r.stderr}`)));
  });
  return { url, proc };
}

const installs: [string, () => Promise<Installed> | Installed][] = [
  ['the clone (the sources)', installFromClone],
  ['the packed tarball', packedInstall],
];

for (const [from, install] of installs)
  describe(`the status line of claude-fallback installed from ${from}`, () => {
    let cf: Installed;
    beforeAll(async () => {
      cf = await install();
    }, 600_000);

    it("shows Claude's quota and where it leads, today's spend and the fallback's part; after the threshold, the quota switch", async () => {
      const now = Date.now();
      // Claude answers with a subscription's unified state: 91.4% of the 5h window, 40% of the 7d one; then 97.5%.
      let fiveHour = 0.914;
      const claude = await startStrictAnthropic({
        answer: (body) => anthropicSSE({ text: 'ok' }, { model: String(body.model), inputTokens: MILLION }).sse,
        limits: () => unifiedLimitHeaders({ fiveHour, sevenDay: 0.4, fiveHourReset: now + 3600_000, sevenDayReset: now + 90 * 3600_000 }),
      });
      const deepseek = await startFakeDeepSeek({ key: 'sk-deepseek-test', reply: () => ({ text: 'ok' }), inputTokens: MILLION });
      fakes.push(claude, deepseek);
      const repo = await makeRepo();
      repos.push(repo);
      // The user's own config (trusted), outside the repository: prices that make the spend round figures.
      const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cf-statusline-')));
      dirs.push(dir);
      const config = join(dir, 'fallbackrc.yaml');
      writeFileSync(
        config,
        JSON.stringify({
          proxy: { host: '127.0.0.1', port: 0 },
          tiers: [
            { name: 'claude', protocol: 'anthropic', base_url: claude.url, price: { input: 1, output: 0 } },
            {
              name: 'deepseek',
              protocol: 'anthropic',
              base_url: deepseek.url,
              api_key: 'sk-deepseek-test',
              model: 'deepseek-v4-flash',
              price: { input: 0.4, output: 0 },
            },
          ],
          routes: [{ name: 'background', model: 'claude-haiku-*', tiers: ['deepseek', 'claude'] }],
          fallback: { max_wait: '0s', first_byte_timeout: '5s', switch_before: '97%' },
          git: { auto_commit: false },
          notify: { webhooks: [] },
        }),
      );
      const { url } = await startForeground(cf.bin, repo, ['--config', config]);
      const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: url, maxRetries: 0 });
      const ask = (model: string) =>
        client.messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
      await ask('claude-opus-4-6'); // the main conversation: Claude, $1.00
      await ask('claude-haiku-4-5'); // background: the haiku route to DeepSeek, $0.40

      const session = JSON.stringify({ workspace: { current_dir: repo }, model: { display_name: 'Opus' } });
      const script = join(cf.prefix, 'lib', 'node_modules', 'claude-fallback', 'scripts', 'cli', 'statusline.sh');
      const lines = async () => {
        await new Promise((r) => setTimeout(r, 200)); // the run file's line is redrawn 50 ms after a change
        const status = JSON.parse((await execa(cf.bin, ['status', '--json'], { cwd: repo, env, reject: false })).stdout).status;
        const node = (await execa(cf.bin, ['statusline'], { cwd: '/', env, input: session, reject: false })).stdout;
        const sh = (await execa('sh', [script, join(repo, '.git', 'fallback-proxy.run')], { input: session, reject: false })).stdout;
        return [status.statusline as string, node, sh];
      };
      const before = 'claude · 5h 91% 7d 40% → deepseek at 97% · today $1.40 (deepseek $0.40)';
      expect(await lines()).toEqual([before, before, before]);

      // The next Claude answer reports 97.5% (shown as 97%: percentages round down): the request after it goes to
      // DeepSeek (reason quota), not after a 429.
      fiveHour = 0.975;
      await ask('claude-opus-4-6'); // Claude, $2.40 in all
      await ask('claude-opus-4-6'); // DeepSeek, $2.80 in all
      expect(claude.verdicts.map((v) => v.status)).toEqual([200, 200]);
      expect(deepseek.verdicts.map((v) => v.status)).toEqual([200, 200]);
      const after = await lines();
      for (const l of after)
        expect(l).toMatch(
          /^deepseek \(fallback: claude at quota, back ~\d\d:\d\d\) · claude 5h 97% 7d 40% · today \$2\.80 \(deepseek \$0\.80\)$/,
        );
    });
  });

// Assisted-by through the real proxy: with git.assisted_by on, an answer the proxy relays (the official SDK as the
// client, a fake Anthropic on 127.0.0.1) puts its model id in <git common dir>/fallback-models, and a person's
// commit of the file that model wrote gets `Model: claude` and `Assisted-by: claude-code:anthropic/<model>`.

import Anthropic from '@anthropic-ai/sdk';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitCommonDir } from '../../proxy/git/git.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { MODELS_FILE } from '../../proxy/git/assisted-by.ts';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { PERSON, commitFile, message } from '../hooks/repo.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function session(assistedBy: boolean) {
  const upstream = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({
    tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upstream.url }],
    git: { assisted_by: assistedBy },
  });
  cleanup.push(
    () => upstream.close(),
    () => h.close(),
  );
  await installHooks(h.repo);
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: h.url, maxRetries: 0 });
  const file = join(h.repo, 'written.txt');
  await client.messages
    .stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'write it' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_01Write', name: 'Write', input: { file_path: file, content: 'w\n' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Write', content: 'File created successfully' }] },
      ],
    })
    .finalMessage();
  await h.settledEvents();
  await commitFile(h.repo, 'written.txt', 'w\n', 'Commit the file Claude wrote', { env: PERSON });
  return { h, models: join(await gitCommonDir(h.repo), MODELS_FILE) };
}

describe('Assisted-by through the proxy', () => {
  it('stamps the model id of the answers when git.assisted_by is on', async () => {
    const { h, models } = await session(true);
    expect(readFileSync(models, 'utf8')).toBe('claude anthropic/claude-sonnet-4-6\n');
    expect(await message(h.repo)).toBe(
      'Commit the file Claude wrote\n\nModel: claude\nAssisted-by: claude-code:anthropic/claude-sonnet-4-6\n\n',
    );
  });

  it('stamps none, and keeps no file, when it is off', async () => {
    const { h, models } = await session(false);
    expect(existsSync(models)).toBe(false);
    expect(await message(h.repo)).toBe('Commit the file Claude wrote\n\nModel: claude\n\n');
  });
});

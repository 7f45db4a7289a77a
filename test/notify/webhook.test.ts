// Generic JSON webhooks receive the ledger event itself, for switches and for POST /webhook events.

import { afterEach, expect, it } from 'vitest';
import { createNotifier } from '../../proxy/notify/index.ts';
import { EXTERNAL, FAST_RETRY, SWITCH, notifyConfig } from './events.ts';
import { startFakeTarget, type FakeTarget } from './fake-target.ts';

let fake: FakeTarget | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

it('posts each ledger event as JSON, unchanged, and needs no repository context for it', async () => {
  fake = await startFakeTarget();
  let contextCalls = 0;
  const notifier = createNotifier(notifyConfig({ webhooks: [fake.url('/a'), fake.url('/b')] }), {
    repo: '/nowhere',
    log: () => {},
    fetchContext: async () => {
      contextCalls++;
      return { repoName: 'x', branch: null };
    },
    retry: FAST_RETRY,
  });
  notifier.notify(SWITCH);
  notifier.notify(EXTERNAL);
  await notifier.drain();
  const byPath = (p: string) => fake!.received.filter((r) => r.path === p).map((r) => JSON.parse(r.body) as unknown);
  expect(byPath('/a')).toEqual(expect.arrayContaining([SWITCH, EXTERNAL]));
  expect(byPath('/b')).toEqual(expect.arrayContaining([SWITCH, EXTERNAL]));
  expect(fake.received).toHaveLength(4);
  expect(contextCalls).toBe(0);
});

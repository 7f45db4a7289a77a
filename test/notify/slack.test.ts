// Slack-compatible targets receive `{"text": …}` with the readable facts, Slack's control characters escaped.

import { afterEach, expect, it } from 'vitest';
import { createNotifier } from '../../proxy/notify/index.ts';
import { toSlackMessage } from '../../proxy/notify/slack.ts';
import { CONTEXT, EXTERNAL, FAST_RETRY, SWITCH, notifyConfig } from './events.ts';
import { startFakeTarget, type FakeTarget } from './fake-target.ts';

let fake: FakeTarget | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

it('builds a single text field with from → to, reason, repository, branch, commit and return time', () => {
  const m = toSlackMessage(SWITCH, CONTEXT);
  expect(Object.keys(m)).toEqual(['text']);
  expect(m.text).toBe(
    'Model switch: claude → gemini-flash (rate limit, HTTP 429)\nRepository: myrepo · Branch: feature/x · Commit: abcdef1 · Primary expected back: 2026-11-26 03:00 UTC',
  );
});

it('a budget reached: the tier, what it spent of what, and when it is back', () => {
  const m = toSlackMessage(
    {
      ts: '2026-12-08T10:00:00.000Z',
      kind: 'budget',
      tier: 'gemini',
      amount: 5,
      per: 'day',
      spent: 5.0123,
      until: '2026-12-09T00:00:00.000Z',
    },
    CONTEXT,
  );
  expect(m.text).toBe(
    'Budget reached: gemini spent $5.01 of $5.00 a day (spend budget reached)\nRepository: myrepo · Branch: feature/x · Tier: gemini · Back: 2026-12-09 00:00 UTC',
  );
});

it('escapes &, < and > so external text cannot form Slack links or mentions', () => {
  const m = toSlackMessage({ ...EXTERNAL, event_type: '<!channel> & more' }, CONTEXT);
  expect(m.text).toContain('&lt;!channel&gt; &amp; more');
  expect(m.text).not.toContain('<!channel>');
});

it('posts the text payload to a Slack-style URL', async () => {
  fake = await startFakeTarget(() => ({ status: 200, body: 'ok' }));
  const notifier = createNotifier(notifyConfig({ slack: [fake.url('/services/T000/B000/SLACKTOKEN')] }), {
    repo: '/nowhere',
    log: () => {},
    fetchContext: async () => CONTEXT,
    retry: FAST_RETRY,
  });
  notifier.notify(SWITCH);
  await notifier.drain();
  expect(fake.received).toHaveLength(1);
  expect(fake.received[0].path).toBe('/services/T000/B000/SLACKTOKEN');
  expect(JSON.parse(fake.received[0].body)).toEqual(toSlackMessage(SWITCH, CONTEXT));
});

// Tier names and tag prefixes become part of git tag names: config refuses the ones git would refuse,
// by git's own judgement (git check-ref-format), with an error that names the key and the line.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';
import { git } from '../../proxy/git/git.ts';
import { refPartProblem, runTagName } from '../../proxy/git/run-tag.ts';

const tierYaml = (name: string) =>
  `tiers:\n  - name: ${JSON.stringify(name)}\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n`;
const TS = '2026-11-25T10:00:00.123Z';

describe('tier names and tag prefixes in tag names', () => {
  const names = ['claude', 'gemini-2.5-flash', 'a_b', '..', 'a..b', 'x.', '.hidden', 'v1.lock', 'a.lock.b', '-dash', 'A9'];
  it.each(names)('accepts %j as a tier name exactly when git accepts the tags it makes', async (name) => {
    const tags = [runTagName('model-', name, TS), `accepted-${name}-20261125-100000-123`, `rolledback-${name}-20261125-100000-123`];
    const gitOk = await Promise.all(
      tags.map(async (t) => (await git('.', ['check-ref-format', `refs/tags/${t}`], { reject: false })).exitCode === 0),
    );
    expect(refPartProblem(name, { start: false }) === null).toBe(gitOk.every(Boolean));
  });

  it.each(['model-', 'ai.', '.model-', 'a..', 'x'])('accepts %j as a tag prefix exactly when git accepts its run tags', async (prefix) => {
    const ok = (await git('.', ['check-ref-format', `refs/tags/${runTagName(prefix, 'claude', TS)}`], { reject: false })).exitCode === 0;
    expect(refPartProblem(prefix, { start: true }) === null).toBe(ok);
  });

  it('refuses such names at config load, naming the key and the line', () => {
    expect(() => parseConfig(tierYaml('a..b'), 'f.yaml', {})).toThrow(
      'f.yaml:2: tiers[0].name: "a..b" may not contain ".." (git refuses it in a tag name)',
    );
    expect(() => parseConfig(`${tierYaml('claude')}git:\n  tag_prefix: .m-\n`, 'f.yaml', {})).toThrow(
      'f.yaml:6: git.tag_prefix: ".m-" may not start with "." (git refuses it in a tag name)',
    );
  });
});

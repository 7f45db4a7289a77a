// git.auto_commit_max_file_size: its default, a value in the size format the other keys use, and a clear error
// naming the key and the line for a bad one.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../../proxy/git/left-out.ts';

const tier = 'tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n';

describe('git.auto_commit_max_file_size', () => {
  it('is 10 MB when unset', () => {
    expect(parseConfig(tier, 'f.yaml', {}).git.autoCommitMaxFileSize).toBe(DEFAULT_MAX_FILE_SIZE);
    expect(DEFAULT_MAX_FILE_SIZE).toBe(10 * 1024 * 1024);
  });

  it('reads a size like the other size keys', () => {
    expect(parseConfig(`${tier}git:\n  auto_commit_max_file_size: 250KB\n`, 'f.yaml', {}).git.autoCommitMaxFileSize).toBe(250 * 1024);
    expect(parseConfig(`${tier}git:\n  auto_commit_max_file_size: 2MB\n`, 'f.yaml', {}).git.autoCommitMaxFileSize).toBe(2 * 1024 * 1024);
  });

  it('refuses a bad value, naming the key and its line', () => {
    expect(() => parseConfig(`${tier}git:\n  auto_commit_max_file_size: lots\n`, 'f.yaml', {})).toThrow(
      /f\.yaml:6.*git\.auto_commit_max_file_size.*bad size "lots": write it like 32MB/,
    );
    expect(() => parseConfig(`${tier}git:\n  auto_commit_max_file_size: 0\n`, 'f.yaml', {})).toThrow(/git\.auto_commit_max_file_size/);
  });
});

import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';
import MissingProgramsReporter from './test-support/missing-programs-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'proxy/**/*.test.ts', 'scripts/**/*.test.ts', 'hooks/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', new MissingProgramsReporter()],
    // The tests write repository configs in temporary folders and run them as written: the user's own setting
    // that trusts a folder's configs (proxy/trust/store.ts). test/security/hostile-repository.test.ts removes it.
    env: { CLAUDE_FALLBACK_TRUSTED_PATHS: realpathSync(tmpdir()) },
  },
});

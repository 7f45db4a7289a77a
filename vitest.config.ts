import { defineConfig } from 'vitest/config';
import MissingProgramsReporter from './test-support/missing-programs-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'proxy/**/*.test.ts', 'scripts/**/*.test.ts', 'hooks/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', new MissingProgramsReporter()],
  },
});

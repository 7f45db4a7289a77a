// A vitest reporter that ends a run with one plain line when tests were skipped for a missing program.

import type { Reporter } from 'vitest/reporters';
import { missingPrograms, skippedLine } from './programs.ts';

export default class MissingProgramsReporter implements Reporter {
  onFinished() {
    const line = skippedLine(missingPrograms());
    if (line) process.stdout.write(`\n${line}\n`);
  }
}

// `describe` for a group of tests that drives a Debian program: skipped, with the reason in its name, when
// the program is missing (the run's last line then names it; see missing-programs-reporter.ts).

import { describe } from 'vitest';
import { missingPrograms, type Program } from './programs.ts';

export { missingPrograms };

export function describeWith(programs: readonly Program[]) {
  const missing = missingPrograms(programs);
  return missing.length === 0
    ? describe
    : (name: string, fn: () => void) => describe.skip(`${name} (skipped: no ${missing.join(', ')})`, fn);
}

// The recorded and hand-made upstream answers in test/fixtures, for the tests and the benchmark alike,
// and how a stream is cut into frames the way a real server writes them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** An SSE text cut into its frames (each written separately, as a real server streams them). */
export function splitFrames(text: string): string[] {
  return text.split(/(?<=\r?\n\r?\n)/).filter((p) => p !== '');
}

// The file prepare-commit-msg reads for Assisted-by: kept from the Run's usage events while git.assisted_by is on,
// the model id of each tier's latest answer, a haiku answer not replacing the tier's main model; removed when off.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';
import { createRunEvents } from '../../proxy/run/events.ts';
import { keepModelIds, MODELS_FILE } from '../../proxy/git/assisted-by.ts';
import type { UsageEvent } from '../../proxy/git/ledger.ts';

const CONFIG = (on: boolean) =>
  parseConfig(
    JSON.stringify({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'https://api.anthropic.com' },
        {
          name: 'gemini-flash',
          protocol: 'gemini',
          base_url: 'https://generativelanguage.googleapis.com',
          api_key: 'k',
          model: 'gemini-2.5-flash',
        },
        {
          name: 'deepseek',
          protocol: 'anthropic',
          base_url: 'https://api.deepseek.com/anthropic',
          api_key: 'k',
          model: 'deepseek-v4-flash',
        },
        { name: 'router', protocol: 'openai', base_url: 'https://openrouter.ai/api/v1', api_key: 'k', model: 'qwen/qwen3-coder' },
      ],
      git: { assisted_by: on },
    }),
    'f.yaml',
    {},
  );
const usage = (tier: string, model: string): UsageEvent => ({
  ts: new Date().toISOString(),
  kind: 'usage',
  tier,
  model,
  input_tokens: 1,
  output_tokens: 1,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  ms: 1,
  stream: true,
});

describe('keepModelIds', () => {
  it('writes <tier> <provider/model> per tier from the answers, and a haiku answer does not replace the main model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-assisted-'));
    const events = createRunEvents(() => {});
    keepModelIds({ config: CONFIG(true), commonDir: dir, events, log: () => {} });
    const file = join(dir, MODELS_FILE);
    expect(existsSync(file)).toBe(false);
    events.emit({ type: 'usage', line: usage('claude', 'claude-sonnet-4-5') });
    events.emit({ type: 'usage', line: usage('claude', 'claude-haiku-4-5') });
    events.emit({ type: 'usage', line: usage('gemini-flash', 'gemini-2.5-flash') });
    events.emit({ type: 'usage', line: usage('deepseek', 'deepseek-v4-flash') });
    events.emit({ type: 'usage', line: usage('router', 'qwen/qwen3-coder') });
    expect(readFileSync(file, 'utf8')).toBe(
      'claude anthropic/claude-sonnet-4-5\ngemini-flash google/gemini-2.5-flash\ndeepseek deepseek/deepseek-v4-flash\nrouter openrouter/qwen/qwen3-coder\n',
    );
    events.emit({ type: 'usage', line: usage('claude', 'claude-opus-4-5') });
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('claude anthropic/claude-opus-4-5');
    // A model name that could break a trailer line is never written.
    events.emit({ type: 'usage', line: usage('claude', 'evil\nModel: x') });
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('claude anthropic/claude-opus-4-5');
  });

  it('removes the file when the setting is off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-assisted-'));
    writeFileSync(join(dir, MODELS_FILE), 'claude anthropic/claude-sonnet-4-5\n');
    const events = createRunEvents(() => {});
    keepModelIds({ config: CONFIG(false), commonDir: dir, events, log: () => {} });
    events.emit({ type: 'usage', line: usage('claude', 'claude-sonnet-4-5') });
    expect(existsSync(join(dir, MODELS_FILE))).toBe(false);
  });
});

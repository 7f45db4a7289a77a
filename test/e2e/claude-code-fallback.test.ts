// The real Claude Code CLI, started by scripts/start.mjs with the SHIPPED tier list (the repository's
// .fallbackrc.yaml as it is: claude, gemini-flash on gemini-2.5-flash, deepseek on DeepSeek's Anthropic
// endpoint; only the base_urls are pointed at fakes as strict as each vendor, and the keys come through
// the file's own ${VAR}s): claude → 429 in the middle of a tool-using turn → gemini-flash → 429 →
// deepseek → Claude's limit resets → claude, thinking on, a png and a gif read on the fallback. The
// fakes script the model (Write, Read, Bash git commit); Claude Code runs the tools for real in a
// temporary repository with the project's git hooks. No fake may refuse a request (a 4xx other than
// the scripted 429s): Gemini 2.5 refuses Claude's calls of the current turn without a thought
// signature (strict-gemini.ts), which is what the switch in the middle of the turn sends it.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startStrictGemini, type GeminiBody } from '../helpers/strict-gemini.ts';
import { startFakeDeepSeek, type DeepSeekBody } from '../helpers/fake-deepseek-anthropic.ts';
import { startFakeOpenAI } from '../helpers/fake-openai-compatible.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import { signThinking } from '../helpers/strict-anthropic.ts';
import { newRepo } from '../helpers/vendor-harness.ts';
import { GIF, PNG } from '../helpers/images.ts';
import { claudeCodeEnv, ensureClaudeCode, streamJson } from '../helpers/claude-code.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const START = join(ROOT, 'scripts', 'start.mjs');
const ZX = join(ROOT, 'node_modules', '.bin', 'zx');
const KEYS = { gemini: 'AIza-e2e-gemini-key', deepseek: 'sk-e2e-deepseek-key' };

let claudeBin = '';
beforeAll(() => {
  claudeBin = ensureClaudeCode();
}, 600_000);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Call = { name: string; input: Record<string, unknown> };

/** The project's .fallbackrc.yaml with each tier's base_url pointed at a fake, written outside the repo. */
function projectConfigWith(urls: Record<string, string>): string {
  const config = parse(readFileSync(join(ROOT, '.fallbackrc.yaml'), 'utf8')) as {
    proxy: Record<string, unknown>;
    tiers: { name: string; base_url: string; model?: string; api_key?: string }[];
  };
  for (const t of config.tiers) {
    if (!urls[t.name]) throw new Error(`the project's config has a tier ${t.name} this test has no fake for`);
    t.base_url = urls[t.name];
  }
  // As shipped: these models, and the keys left to the file's own ${VAR}s (set in the proxy's environment).
  expect(config.tiers.map((t) => [t.name, t.model, t.api_key])).toEqual([
    ['claude', undefined, undefined],
    ['gemini-flash', 'gemini-2.5-flash', '${GEMINI_API_KEY}'],
    ['deepseek', 'deepseek-v4-flash', '${DEEPSEEK_API_KEY}'],
  ]);
  const file = join(mkdtempSync(join(tmpdir(), 'fallback-e2e-config-')), 'fallbackrc.yaml');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/**
 * The model's plan, whoever answers: each step is done once its tool call is in the history. Steps
 * marked `claudeOnly` wait (Bash `sleep 1`) until Claude is back; then Claude says it is done.
 */
function script(repo: string) {
  const commit =
    (file: string, step: string) =>
    (tier: string): Call => ({
      name: 'Bash',
      input: { command: `git add ${file} && git commit -q -m "${tier}: ${step}"`, description: `Commit ${file}` },
    });
  const write =
    (file: string) =>
    (tier: string): Call => ({ name: 'Write', input: { file_path: join(repo, file), content: `written by ${tier}\n` } });
  const read = (file: string) => (): Call => ({ name: 'Read', input: { file_path: join(repo, file) } });
  const steps: { id: string; call: (tier: string) => Call; claudeOnly?: boolean }[] = [
    { id: 'claude.md', call: write('claude.md') },
    { id: 'commit claude.md', call: commit('claude.md', 'first notes') },
    { id: 'logo.png', call: read('logo.png') },
    { id: 'spinner.gif', call: read('spinner.gif') },
    { id: 'fallback.md', call: write('fallback.md') },
    { id: 'commit fallback.md', call: commit('fallback.md', 'notes on the images') },
    { id: 'more.md', call: write('more.md') },
    { id: 'commit more.md', call: commit('more.md', 'more notes') },
    { id: 'back.md', call: write('back.md'), claudeOnly: true },
    { id: 'commit back.md', call: commit('back.md', 'back again') },
  ];
  const isDone = (step: (typeof steps)[number], calls: Call[]) =>
    calls.some((c) => {
      const want = step.call('x');
      if (c.name !== want.name) return false;
      if (want.name === 'Bash') return String(c.input.command).includes(`git add ${step.id.replace('commit ', '')} `);
      return c.input.file_path === want.input.file_path;
    });
  return {
    /** The next call (or the final text) for `tier`, given the tool calls already in the history. */
    next(tier: string, calls: Call[]): { step: string; call?: Call; text?: string } {
      const step = steps.find((s) => !isDone(s, calls));
      if (!step) return { step: 'done', text: 'All steps are done.' };
      if (step.claudeOnly && tier !== 'claude')
        return { step: 'wait', call: { name: 'Bash', input: { command: 'sleep 1', description: 'Wait a moment' } } };
      return { step: step.id, call: step.call(tier) };
    },
  };
}

const isMainLoop = (tools: unknown, last: unknown) =>
  JSON.stringify(tools ?? []).includes('"Bash"') && !JSON.stringify(last ?? '').includes('Do NOT call any tools');

function anthropicCalls(body: DeepSeekBody): Call[] {
  return (body.messages ?? []).flatMap((m) =>
    m.role === 'assistant' && Array.isArray(m.content)
      ? m.content.filter((b) => b.type === 'tool_use').map((b) => ({ name: String(b.name), input: b.input as Record<string, unknown> }))
      : [],
  );
}

function geminiCalls(body: GeminiBody): Call[] {
  return (body.contents ?? []).flatMap((c) =>
    c.role === 'model'
      ? c.parts.flatMap((p) =>
          p.functionCall ? [{ name: p.functionCall.name, input: (p.functionCall.args ?? {}) as Record<string, unknown> }] : [],
        )
      : [],
  );
}

describe('Claude Code on the shipped tier list', () => {
  it('falls back claude → gemini-flash (in the middle of a tool-using turn) → deepseek and back to claude at its reset, reading a png and a gif on the way: no fake refuses a request, no error reaches Claude Code and every commit names its model', async () => {
    const repo = newRepo();
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    writeFileSync(join(repo, 'logo.png'), Buffer.from(PNG, 'base64'));
    writeFileSync(join(repo, 'spinner.gif'), Buffer.from(GIF, 'base64'));
    writeFileSync(join(repo, 'README.md'), '# demo\n');
    git('add', '-A');
    git('commit', '-qm', 'the project before the session');
    const base = git('rev-parse', 'HEAD').trim();
    const plan = script(repo);
    const answered: [string, string][] = []; // [tier, step] of each main-loop answer

    const claude = await startStrictAnthropic({
      retryAfter: '11', // beyond fallback.max_wait (10s): sat out as a cooldown, not waited for
      answer: (body, thinking) => {
        const b = body as unknown as DeepSeekBody & { tools?: unknown };
        const turn = isMainLoop(b.tools, b.messages?.at(-1)) ? plan.next('claude', anthropicCalls(b)) : { step: 'side', text: 'ok' };
        if (turn.step !== 'side') answered.push(['claude', turn.step]);
        if (turn.step === 'commit claude.md') claude.limited = true; // the usage limit hits after this answer
        const signature = signThinking(''); // display "omitted": the text is empty, the signature real
        return anthropicSSE(
          { ...(thinking ? { thinking: '' } : {}), text: turn.text, calls: turn.call ? [turn.call] : [] },
          { model: 'claude-opus-5-5', signature },
        ).sse;
      },
    });
    const gemini = await startStrictGemini({
      key: KEYS.gemini,
      retryDelay: '3600s',
      reply: (body) => {
        const turn = isMainLoop(body.tools, null) ? plan.next('gemini-flash', geminiCalls(body)) : { step: 'side', text: 'ok' };
        if (turn.step !== 'side') answered.push(['gemini-flash', turn.step]);
        if (turn.step === 'commit fallback.md') gemini.limited = true;
        return { text: turn.text, calls: turn.call ? [{ name: turn.call.name, args: turn.call.input }] : [] };
      },
    });
    const deepseek = await startFakeDeepSeek({
      key: KEYS.deepseek,
      reply: (body) => {
        const b = body as DeepSeekBody & { tools?: unknown };
        const turn = isMainLoop(b.tools, b.messages?.at(-1)) ? plan.next('deepseek', anthropicCalls(b)) : { step: 'side', text: 'ok' };
        if (turn.step !== 'side') answered.push(['deepseek', turn.step]);
        if (turn.step === 'commit more.md') claude.limited = false; // Claude's limit resets
        return { text: turn.text, calls: turn.call ? [turn.call] : [] };
      },
    });
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => deepseek.close(),
    );
    const config = projectConfigWith({ claude: claude.url, 'gemini-flash': gemini.url, deepseek: deepseek.url });

    const home = mkdtempSync(join(tmpdir(), 'fallback-e2e-home-'));
    const run = await execa(
      ZX,
      [
        START,
        '--repo',
        repo,
        '--config',
        config,
        '--port',
        '0',
        '--verbose',
        '--',
        claudeBin,
        '-p',
        'Work through the notes task.',
        '--output-format',
        'stream-json',
        '--verbose',
        '--allowedTools',
        'Read,Write,Bash',
      ],
      {
        cwd: repo,
        env: claudeCodeEnv(home, { GEMINI_API_KEY: KEYS.gemini, DEEPSEEK_API_KEY: KEYS.deepseek, DISCORD_WEBHOOK_URL: '' }),
        extendEnv: false,
        reject: false,
        timeout: 150_000,
        stdin: 'ignore',
      },
    );
    const lines = streamJson(run.stdout);
    const result = lines.find((l) => l.type === 'result');
    const context = `exit ${run.exitCode}\nanswered ${JSON.stringify(answered)}\nverdicts ${JSON.stringify({ claude: claude.verdicts, gemini: gemini.verdicts, deepseek: deepseek.verdicts })}\nresult ${JSON.stringify(result)}\nstderr:\n${run.stderr.slice(-4000)}`;
    expect(result, context).toMatchObject({ is_error: false, result: 'All steps are done.' });
    expect(run.exitCode, context).toBe(0);

    // The path the issue names: claude, then gemini-flash (which read both images), deepseek, claude.
    const order = answered.map(([tier]) => tier).filter((t, i, all) => t !== all[i - 1]);
    expect(order, context).toEqual(['claude', 'gemini-flash', 'deepseek', 'claude']);
    expect(answered.filter(([t]) => t === 'gemini-flash').map(([, s]) => s)).toEqual([
      'logo.png',
      'spinner.gif',
      'fallback.md',
      'commit fallback.md',
    ]);

    // The switch came in the middle of the turn: Gemini's first main-loop request carries Claude's own
    // calls after the user's words (Write, then the commit), each step with Google's dummy signature,
    // since Claude's calls have none and gemini-2.5-flash refuses an unsigned call of the current turn.
    const firstGemini = gemini.requests
      .map((r) => ({ url: r.url, body: r.json as GeminiBody }))
      .find((r) => isMainLoop(r.body.tools, null))!;
    expect(firstGemini.url).toMatch(/^\/v1beta\/models\/gemini-2\.5-flash:streamGenerateContent/);
    const contents = firstGemini.body.contents!;
    const turnStart = contents.findLastIndex(
      (c) => c.role === 'user' && c.parts.some((p) => p.text !== undefined && !p.text.startsWith('<system-reminder>')),
    );
    const stepsOfTurn = contents.slice(turnStart + 1).filter((c) => c.role === 'model' && c.parts.some((p) => p.functionCall));
    expect(
      stepsOfTurn.map((c) => c.parts.find((p) => p.functionCall)!.functionCall!.name),
      context,
    ).toEqual(['Write', 'Bash']);
    expect(stepsOfTurn.map((c) => c.parts.find((p) => p.functionCall)!.thoughtSignature)).toEqual([
      'skip_thought_signature_validator',
      'skip_thought_signature_validator',
    ]);
    expect(deepseek.requests.every((r) => (r.json as { model?: string }).model === 'deepseek-v4-flash')).toBe(true);

    // No fake refused a request: every upstream said 200 or a scripted 429, never a 4xx refusal, so no
    // request paid for a refusal before the next tier answered, and none reached Claude Code.
    expect(
      claude.verdicts.filter((v) => v.status !== 200 && v.status !== 429),
      context,
    ).toEqual([]);
    expect(
      gemini.verdicts.filter((v) => v.status !== 200 && v.status !== 429),
      context,
    ).toEqual([]);
    expect(
      deepseek.verdicts.filter((v) => v.status !== 200),
      context,
    ).toEqual([]);
    expect(run.stderr, context).not.toMatch(/refused, trying the next tier|refused \d+ requests in a row/);
    expect(
      lines.filter(
        (l) => l.type === 'assistant' && l.message?.content?.some((b) => b.type === 'text' && /API Error|error/i.test(b.text ?? '')),
      ),
    ).toEqual([]);
    // The gif reached Gemini as a placeholder only; the png as an image.
    const toGemini = gemini.requests.map((r) => r.body.toString()).join('\n');
    expect(toGemini).not.toContain('"image/gif"');
    expect(toGemini).toContain('"mimeType":"image/png"');
    expect(run.stderr).toMatch(/gemini-flash: image\/gif in a tool result replaced by a placeholder/);

    // Every commit of the session names the model that was active when it was made.
    const log = git('log', '--reverse', '--format=%s%x09%(trailers:key=Model,valueonly,separator=%x2C)', `${base}..HEAD`)
      .trim()
      .split('\n');
    for (const line of log) expect(line, log.join('\n')).toMatch(/\t\S+$/);
    const byModel = log.filter((l) => !l.startsWith('Auto-commit')).map((l) => l.split('\t'));
    expect(byModel).toEqual([
      ['claude: first notes', 'claude'],
      ['gemini-flash: notes on the images', 'gemini-flash'],
      ['deepseek: more notes', 'deepseek'],
      ['claude: back again', 'claude'],
    ]);
    const ledger = readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; from?: string; to?: string; reason?: string });
    expect(ledger.filter((e) => e.kind === 'switch').map((e) => [e.from, e.to, e.reason])).toEqual([
      ['claude', 'gemini-flash', 'rate_limit'],
      ['gemini-flash', 'deepseek', 'rate_limit'],
      ['deepseek', 'claude', 'recovered'],
    ]);
    // Claude Code's mid-conversation system messages reach a vendor as <system-reminder> text, not a role it does not document.
    for (const r of deepseek.requests) expect(r.body.toString()).not.toContain('"role":"system"');
    // No key reached the ledger, the commits or the proxy's log.
    const everything = [
      readFileSync(join(repo, '.git', 'model-ledger'), 'utf8'),
      run.stderr,
      git('log', '--all', '-p', '--format=%B'),
    ].join('\n');
    for (const key of Object.values(KEYS)) expect(everything).not.toContain(key);
  }, 180_000);

  it("gets Anthropic's too-long error when no tier's window fits, and says so instead of retrying", async () => {
    const repo = newRepo();
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '3600' });
    const local = await startFakeOpenAI({ flavor: 'vllm', key: 'sk-local', contextWindow: 8192, reply: () => ({ text: 'never' }) });
    cleanup.push(
      () => claude.close(),
      () => local.close(),
    );
    const config = join(mkdtempSync(join(tmpdir(), 'fallback-e2e-config-')), 'fallbackrc.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        tiers: [
          { name: 'claude', protocol: 'anthropic', base_url: claude.url },
          { name: 'local', protocol: 'openai', base_url: local.url + '/v1', api_key: 'sk-local', model: 'my-llama', context_window: 8192 },
        ],
        git: { auto_commit: false },
      }),
    );
    const home = mkdtempSync(join(tmpdir(), 'fallback-e2e-home-'));
    const run = await execa(
      ZX,
      [
        START,
        '--repo',
        repo,
        '--config',
        config,
        '--port',
        '0',
        '--',
        claudeBin,
        '-p',
        'hello',
        '--output-format',
        'stream-json',
        '--verbose',
      ],
      {
        cwd: repo,
        env: claudeCodeEnv(home),
        extendEnv: false,
        reject: false,
        timeout: 60_000,
        stdin: 'ignore',
      },
    );
    const result = streamJson(run.stdout).find((l) => l.type === 'result');
    // Claude Code 2.1.332 reads the two numbers; a single exchange cannot be compacted, so it stops.
    expect(result, run.stderr.slice(-3000)).toMatchObject({ is_error: true, terminal_reason: 'prompt_too_long', api_error_status: 400 });
    expect(result?.result).toMatch(/^Prompt is too long · the request is ~\d+ tokens \(limit 8192\)/);
    expect(local.requests).toHaveLength(0);
  }, 90_000);
});

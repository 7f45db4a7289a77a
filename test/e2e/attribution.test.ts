// Issue 22 as a user sees it, with the real Claude Code CLI through `claude-fallback -- claude`: one file written
// across a switch (Claude writes the top half with Write and Edit; Anthropic answers 429; DeepSeek, the fallback,
// writes the bottom half with Edit and changes a line of Claude's with `sed -i` through Bash), then a person edits
// one line and commits. `claude-fallback blame FILE --json` names each line's author, and still does after a
// `git rebase -i` squash, after a `git merge --squash` into another branch, and in a second clone that fetched the
// notes from a bare remote. The second scenario is the person's uncommitted work at the switch (a `wip.txt` and a
// README edit): never attributed to a model, and left as it is by a rollback of the model.
// The fakes (test/helpers/strict-anthropic.ts, fake-deepseek-anthropic.ts) refuse what the vendors refuse; they
// script the model, Claude Code runs the tools for real in a temporary repository with the project's hooks.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signThinking, startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startFakeDeepSeek, type DeepSeekBody } from '../helpers/fake-deepseek-anthropic.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import { newRepo } from '../helpers/vendor-harness.ts';
import { claudeCodeEnv, ensureClaudeCode, streamJson } from '../helpers/claude-code.ts';
import { waitForNoLeftovers } from '../helpers/process-tree.ts';
import { blameFromNotes, noteOf, noteProblems } from '../helpers/notes-blame.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');
const DEEPSEEK_KEY = 'sk-e2e-deepseek-key';
/**
 * How long each fake model takes before it writes its answer. A real model takes seconds to answer a tool call.
 * With 0, answers come in a few ms, before the proxy's work-tree snapshot (taken as a request arrives) has read the
 * tree: the proxy then holds the answer's first tool call until it has (docs/git.md, "What the proxy records"), so
 * ATTRIBUTION_E2E_THINK_MS=0 checks that hold with the real Claude Code.
 */
const THINK_MS = Number(process.env.ATTRIBUTION_E2E_THINK_MS ?? 1000);

let claudeBin = '';
beforeAll(() => {
  claudeBin = ensureClaudeCode();
}, 600_000);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
const repos: string[] = [];
afterAll(async () => {
  expect(await waitForNoLeftovers(repos), 'processes left running in the test repositories').toEqual([]);
});

type Call = { name: string; input: Record<string, unknown> };
type Step = { id: string; call: Call; done: (c: Call) => boolean };

const gitIn =
  (repo: string) =>
  (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: personEnv() });

/** The person's own shell: no Claude Code session around it, no editor to wait for. */
const personEnv = () => ({ ...process.env, CLAUDECODE: '', ANTHROPIC_BASE_URL: '', GIT_EDITOR: 'true', NO_COLOR: '1' });

/** The tools' calls in an Anthropic-shaped history (Claude's and DeepSeek's requests both are). */
function callsOf(body: DeepSeekBody): Call[] {
  return (body.messages ?? []).flatMap((m) =>
    m.role === 'assistant' && Array.isArray(m.content)
      ? m.content.filter((b) => b.type === 'tool_use').map((b) => ({ name: String(b.name), input: b.input as Record<string, unknown> }))
      : [],
  );
}

/** Claude Code's agent loop (its tools include Bash), not a side request (titles, summaries). */
const isMainLoop = (body: { tools?: unknown; messages?: unknown[] }) =>
  JSON.stringify(body.tools ?? []).includes('"Bash"') && !JSON.stringify(body.messages?.at(-1) ?? '').includes('Do NOT call any tools');

/**
 * The model's plan, whoever answers: the next step is the first whose call is not in the history yet; after the
 * last one the model says it is done. `answered` records [tier, step] of every main-loop answer.
 */
function planOf(steps: Step[]) {
  const answered: [string, string][] = [];
  return {
    answered,
    next(tier: string, body: DeepSeekBody & { tools?: unknown }): { step: string; call?: Call; text?: string } {
      if (!isMainLoop(body)) return { step: 'side', text: 'ok' };
      const calls = callsOf(body);
      const step = steps.find((s) => !calls.some(s.done));
      const turn = step ? { step: step.id, call: step.call } : { step: 'done', text: 'All steps are done.' };
      answered.push([tier, turn.step]);
      return turn;
    },
  };
}

/** A fake Claude (strict) that follows `plan` and hits its usage limit right after answering step `limitAfter`. */
async function fakeClaude(plan: ReturnType<typeof planOf>, limitAfter: string) {
  const models = new Set<string>(); // the models Claude Code asked for in its agent loop
  const claude = await startStrictAnthropic({
    retryAfter: '3600', // far beyond fallback.max_wait: a cooldown, Claude does not come back in this test
    pauseMs: THINK_MS,
    answer: (body, thinking) => {
      const turn = plan.next('claude', body as DeepSeekBody);
      if (turn.step !== 'side') models.add(String(body.model));
      if (turn.step === limitAfter) claude.limited = true;
      const signature = signThinking(''); // display "omitted": the text is empty, the signature real
      return anthropicSSE(
        { ...(thinking ? { thinking: '' } : {}), text: turn.text, calls: turn.call ? [turn.call] : [] },
        { model: String(body.model), signature }, // Anthropic answers with the model asked for
      ).sse;
    },
  });
  cleanup.push(() => claude.close());
  return Object.assign(claude, { models });
}

async function fakeDeepSeek(plan: ReturnType<typeof planOf>) {
  const deepseek = await startFakeDeepSeek({
    key: DEEPSEEK_KEY,
    pauseMs: THINK_MS,
    reply: (body) => {
      const turn = plan.next('deepseek', body);
      return { text: turn.text, calls: turn.call ? [turn.call] : [] };
    },
  });
  cleanup.push(() => deepseek.close());
  return deepseek;
}

/** The user's own config (trusted: given on the command line), outside the repository: Claude, then DeepSeek. */
function configFile(claudeUrl: string, deepseekUrl: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fallback-attr-config-')), 'fallbackrc.yaml');
  const config = {
    proxy: { host: '127.0.0.1', port: 0 },
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claudeUrl },
      // `vendor` names DeepSeek behind a URL that does not (the fake's 127.0.0.1), as for a relay.
      {
        name: 'deepseek',
        protocol: 'anthropic',
        vendor: 'deepseek',
        base_url: deepseekUrl,
        api_key: '${DEEPSEEK_API_KEY}',
        model: 'deepseek-v4-flash',
      },
    ],
    fallback: { cooldown: '15m', max_wait: '0s', first_byte_timeout: '30s' },
    git: { auto_commit: true, tag_prefix: 'model-' },
    notify: { webhooks: [], on_switch: [] },
  };
  writeFileSync(file, JSON.stringify(config)); // JSON is YAML
  return file;
}

/** `claude-fallback --config F --port 0 -- claude -p …` in `repo`, as a user runs it; resolves when Claude Code exits. */
async function session(repo: string, config: string, prompt: string) {
  repos.push(repo);
  const home = mkdtempSync(join(tmpdir(), 'fallback-attr-home-'));
  const run = await execa(
    process.execPath,
    [
      BIN,
      '--config',
      config,
      '--port',
      '0',
      '--verbose',
      '--',
      claudeBin,
      '-p',
      prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      '--allowedTools',
      'Write',
      'Edit',
      'Bash',
      'Read',
    ],
    {
      cwd: repo,
      env: claudeCodeEnv(home, { DEEPSEEK_API_KEY: DEEPSEEK_KEY, NO_COLOR: '1' }),
      extendEnv: false,
      reject: false,
      timeout: 150_000,
      stdin: 'ignore',
    },
  );
  const result = streamJson(run.stdout).find((l) => l.type === 'result');
  const log = existsSync(join(repo, '.git', 'fallback-proxy.log')) ? readFileSync(join(repo, '.git', 'fallback-proxy.log'), 'utf8') : '';
  return {
    run,
    result,
    context: `exit ${run.exitCode}\nresult ${JSON.stringify(result)}\nstderr:\n${run.stderr.slice(-3000)}\nproxy log:\n${log.slice(-3000)}`,
  };
}

/** `claude-fallback <args>` in `cwd` (the user's own shell: no proxy, no Claude Code environment). */
function cli(cwd: string, ...args: string[]) {
  return execa(process.execPath, [BIN, ...args], {
    cwd,
    reject: false,
    env: personEnv(),
  });
}

type BlameJson = { lines: { line: number; content: string; contributor: { type: string; tier?: string; model_id?: string } }[] };

/**
 * `claude-fallback blame FILE --json` in `dir`: "claude", "deepseek", "mixed:<tier>", "human" or "uncommitted" (a line
 * of the work tree no commit holds yet, as git blame's "Not Committed Yet") per line, in order,
 * after checking that its lines are the file's; or the command's failure as text (which equals no list of authors).
 */
async function cliBlame(dir: string, file: string): Promise<string[] | string> {
  const r = await cli(dir, 'blame', file, '--json');
  if (r.exitCode !== 0) return `claude-fallback blame ${file} --json: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`;
  const out = JSON.parse(r.stdout) as BlameJson;
  expect(out.lines.map((l) => l.line)).toEqual(out.lines.map((_, i) => i + 1));
  expect(out.lines.map((l) => l.content).join('\n') + '\n').toBe(readFileSync(join(dir, file), 'utf8'));
  return out.lines.map(({ contributor: c }) =>
    c.type === 'human' || c.type === 'uncommitted'
      ? c.type
      : c.type === 'mixed'
        ? `mixed:${c.tier}`
        : c.type === 'ai'
          ? String(c.tier)
          : `?${c.type}`,
  );
}

const TOP = ['// the top half, by claude', 'const a = 1;', 'const b = 2;', 'const c = 3;'];
const FILE = 'app.js';

/** Who wrote each line of app.js: Claude's Write and Edit, DeepSeek's sed on Claude's `b`, DeepSeek's Edit, the person's line. */
const EXPECTED = ['claude', 'claude', 'deepseek', 'claude', 'claude', 'deepseek', 'deepseek', 'human', 'deepseek'];
/** Line 3, the one DeepSeek's `sed -i` changed through Bash (issue 22 item 2), has a test of its own. */
const SED_LINE = 3;
const withoutSedLine = (labels: string[] | string) => (Array.isArray(labels) ? labels.filter((_, i) => i !== SED_LINE - 1) : labels);

/** What the scenario saw at one stage: `claude-fallback blame` run at once, the notes read by the test, their format. */
type Stage = { blame: string[] | string; notes: string[]; problems: string[] };

describe('one file written across a switch by Claude and DeepSeek (Write, Edit, sed -i through Bash), a line by the person', () => {
  const stages = new Map<string, Stage>();
  const exits: Record<string, { code: number | undefined; out: string }> = {};
  let modelIds: { claude: unknown; deepseek: unknown[] | undefined; claudeAsked: string } = { claude: null, deepseek: [], claudeAsked: '' };

  beforeAll(async () => {
    const repo = newRepo();
    const git = gitIn(repo);
    writeFileSync(join(repo, 'README.md'), '# demo\n');
    git('add', '-A');
    git('commit', '-qm', 'the project before the session');
    const base = git('rev-parse', 'HEAD').trim();
    const path = join(repo, FILE);

    const steps: Step[] = [
      {
        id: 'write top',
        call: { name: 'Write', input: { file_path: path, content: TOP.join('\n') + '\n' } },
        done: (c) => c.name === 'Write' && c.input.file_path === path,
      },
      {
        id: 'edit top',
        call: { name: 'Edit', input: { file_path: path, old_string: 'const c = 3;\n', new_string: 'const c = 3;\nconst d = 4;\n' } },
        done: (c) => c.name === 'Edit' && String(c.input.new_string).includes('const d = 4;'),
      },
      {
        id: 'edit bottom',
        call: {
          name: 'Edit',
          input: {
            file_path: path,
            old_string: 'const d = 4;\n',
            new_string: 'const d = 4;\n// the bottom half, by the fallback\nconst e = 5;\nconst f = 6;\nconst g = 7;\n',
          },
        },
        done: (c) => c.name === 'Edit' && String(c.input.new_string).includes('const g = 7;'),
      },
      {
        id: 'sed',
        call: { name: 'Bash', input: { command: `sed -i 's/^const b = 2;$/const b = 22;/' ${FILE}`, description: 'Change b with sed' } },
        done: (c) => c.name === 'Bash' && String(c.input.command).startsWith('sed -i'),
      },
    ];
    const plan = planOf(steps);
    const claude = await fakeClaude(plan, 'edit top');
    const deepseek = await fakeDeepSeek(plan);
    const config = configFile(claude.url, deepseek.url);

    // The session, as the driver of everything below: it must have gone as planned.
    const { run, result, context } = await session(repo, config, 'Write app.js as planned.');
    const ctx = `${context}\nanswered ${JSON.stringify(plan.answered)}\nverdicts ${JSON.stringify({ claude: claude.verdicts, deepseek: deepseek.verdicts })}`;
    expect(result, ctx).toMatchObject({ is_error: false, result: 'All steps are done.' });
    expect(run.exitCode, ctx).toBe(0);
    // Claude answered the top half, then 429 for good; DeepSeek the rest. No fake refused a request.
    expect(plan.answered, ctx).toEqual([
      ['claude', 'write top'],
      ['claude', 'edit top'],
      ['deepseek', 'edit bottom'],
      ['deepseek', 'sed'],
      ['deepseek', 'done'],
    ]);
    expect(
      claude.verdicts.filter((v) => v.status !== 200 && v.status !== 429),
      ctx,
    ).toEqual([]);
    expect(
      deepseek.verdicts.filter((v) => v.status !== 200),
      ctx,
    ).toEqual([]);
    // The file as the tools left it: Claude's four lines and its Edit, DeepSeek's Edit, and sed's change.
    expect(readFileSync(path, 'utf8')).toBe(
      [
        ...TOP.slice(0, 2),
        'const b = 22;',
        'const c = 3;',
        'const d = 4;',
        '// the bottom half, by the fallback',
        'const e = 5;',
        'const f = 6;',
        'const g = 7;',
      ].join('\n') + '\n',
    );
    // The switch's auto-commit holds Claude's work, stamped claude.
    const switches = readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; from?: string; to?: string; reason?: string; commit?: string | null })
      .filter((e) => e.kind === 'switch');
    expect(
      switches.map((e) => [e.from, e.to, e.reason]),
      ctx,
    ).toEqual([['claude', 'deepseek', 'rate_limit']]);
    const autoCommit = switches[0].commit!;
    expect(autoCommit, ctx).toMatch(/^[0-9a-f]{40}$/);
    expect(git('log', '-1', '--format=%(trailers:key=Model,valueonly,separator=%x2C)', autoCommit).trim()).toBe('claude');

    // The person changes one line of DeepSeek's and commits everything, in their own shell.
    writeFileSync(path, readFileSync(path, 'utf8').replace('const f = 6;', 'const f = 60; // the person'));
    git('commit', '-qam', 'app.js: f is 60');
    const final = readFileSync(path, 'utf8');
    expect(final.split('\n')[7]).toBe('const f = 60; // the person');
    expect(
      git('log', '--reverse', '--format=%s%x09%(trailers:key=Model,valueonly,separator=%x2C)', `${base}..HEAD`).trim().split('\n'),
    ).toEqual(['Auto-commit before switch to deepseek\tclaude', 'app.js: f is 60\tdeepseek']);

    // At each stage: `claude-fallback blame` the moment the commit is made, as a person would run it; then the notes
    // as git holds them. A commit's note is written after the commit, in the background (the hooks' budget), so the
    // test reads them again for up to 10 s until every line but the sed line is as expected.
    const record = async (name: string, dir: string, range: string) => {
      const blame = await cliBlame(dir, FILE);
      const read = () => blameFromNotes(dir, 'HEAD', FILE).map((l) => l.by);
      const until = Date.now() + 10_000;
      let notes = read();
      while (JSON.stringify(withoutSedLine(notes)) !== JSON.stringify(withoutSedLine(EXPECTED)) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        notes = read();
      }
      const problems = gitIn(dir)('rev-list', range)
        .trim()
        .split('\n')
        .filter(Boolean)
        .flatMap((c) => noteProblems(dir, c));
      stages.set(name, { blame, notes, problems });
    };
    await record("the person's commit", repo, `${base}..HEAD`);
    modelIds = {
      claude: noteOf(repo, autoCommit)?.files.find((f) => f.path === FILE)?.ranges[0]?.contributor,
      deepseek: noteOf(repo, 'HEAD')
        ?.files.find((f) => f.path === FILE)
        ?.ranges.filter((r) => r.contributor.type === 'ai')
        .map((r) => r.contributor),
      claudeAsked: [...claude.models].join(','),
    };
    const original = git('rev-parse', 'HEAD').trim();

    // `git rebase -i` squashing the person's commit into the auto-commit, driven without an editor.
    git('checkout', '-q', '-b', 'rebased', original);
    execFileSync('git', ['-C', repo, 'rebase', '-i', base], {
      env: { ...personEnv(), GIT_SEQUENCE_EDITOR: "sed -i -e '2s/^pick/squash/'" },
      stdio: 'pipe',
    });
    expect(git('rev-list', '--count', `${base}..HEAD`).trim()).toBe('1');
    expect(readFileSync(path, 'utf8')).toBe(final);
    await record('rebase -i with a squash', repo, `${base}..HEAD`);

    // `git merge --squash` of the original branch into another one, committed as people do (git's SQUASH_MSG).
    git('checkout', '-q', '-b', 'squashed', base);
    git('merge', '--squash', original);
    git('commit', '-q', '--no-edit');
    expect(git('rev-list', '--count', `${base}..HEAD`).trim()).toBe('1');
    expect(readFileSync(path, 'utf8')).toBe(final);
    await record('merge --squash', repo, `${base}..HEAD`);
    git('checkout', '-q', 'main');

    // Pushed to a bare remote with the notes, cloned, the notes fetched.
    const remote = realpathSync(mkdtempSync(join(tmpdir(), 'fallback-attr-remote-')));
    execFileSync('git', ['init', '-q', '--bare', remote]);
    git('remote', 'add', 'origin', remote);
    git('push', '-q', 'origin', 'main', 'rebased', 'squashed');
    const pushed = await cli(repo, 'push-notes');
    exits['push-notes'] = { code: pushed.exitCode, out: `${pushed.stdout}\n${pushed.stderr}` };
    const clone = realpathSync(mkdtempSync(join(tmpdir(), 'fallback-attr-clone-')));
    execFileSync('git', ['clone', '-q', remote, clone]);
    const fetched = await cli(clone, 'fetch-notes');
    exits['fetch-notes'] = { code: fetched.exitCode, out: `${fetched.stdout}\n${fetched.stderr}` };
    for (const branch of ['main', 'rebased', 'squashed']) {
      gitIn(clone)('checkout', '-q', branch);
      await record(`the second clone, ${branch}`, clone, `${base}..HEAD`);
    }
  }, 300_000);

  const at = (name: string) => {
    const stage = stages.get(name);
    if (!stage) throw new Error(`the scenario did not reach "${name}"`);
    return stage;
  };

  it("after the person's commit, the notes name Claude for its Write and Edit, DeepSeek for its Edit after the 429, the person for their line", () => {
    expect(withoutSedLine(at("the person's commit").notes)).toEqual(withoutSedLine(EXPECTED));
  });

  it("claude-fallback blame, run right after the person's commit, says the same", () => {
    expect(withoutSedLine(at("the person's commit").blame)).toEqual(withoutSedLine(EXPECTED));
  });

  it("the line DeepSeek changed with sed -i through Bash is DeepSeek's: in the notes at every stage, and in blame in the second clone", () => {
    const sedLine = [...stages].map(([name, s]) => [
      name,
      s.notes[SED_LINE - 1],
      name.startsWith('the second clone') ? (Array.isArray(s.blame) ? s.blame[SED_LINE - 1] : s.blame) : 'deepseek',
    ]);
    expect(sedLine).toEqual([...stages.keys()].map((name) => [name, 'deepseek', 'deepseek']));
  });

  it("the notes are in the shared format (each range's content_hash, ranges covering exactly the added lines) and name the answering models", () => {
    expect([...stages].map(([name, s]) => [name, s.problems])).toEqual([...stages.keys()].map((name) => [name, []]));
    expect(modelIds.claude).toEqual({ type: 'ai', tier: 'claude', model_id: `anthropic/${modelIds.claudeAsked}` });
    expect(modelIds.deepseek).toContainEqual({ type: 'ai', tier: 'deepseek', model_id: 'deepseek/deepseek-v4-flash' });
  });

  it('after git rebase -i squashing the two commits into one, the notes give every line its author', () => {
    expect(withoutSedLine(at('rebase -i with a squash').notes)).toEqual(withoutSedLine(EXPECTED));
  });

  it('after git rebase -i with a squash, claude-fallback blame run at once says the same', () => {
    expect(withoutSedLine(at('rebase -i with a squash').blame)).toEqual(withoutSedLine(EXPECTED));
  });

  it('after git merge --squash into another branch, the notes give every line its author', () => {
    expect(withoutSedLine(at('merge --squash').notes)).toEqual(withoutSedLine(EXPECTED));
  });

  it('after git merge --squash, claude-fallback blame run at once says the same', () => {
    expect(withoutSedLine(at('merge --squash').blame)).toEqual(withoutSedLine(EXPECTED));
  });

  it('pushed with push-notes to a bare remote and fetched with fetch-notes into a second clone: the same blame on every branch', () => {
    expect(exits['push-notes'].code, exits['push-notes'].out).toBe(0);
    expect(exits['fetch-notes'].code, exits['fetch-notes'].out).toBe(0);
    for (const branch of ['main', 'rebased', 'squashed']) {
      const stage = at(`the second clone, ${branch}`);
      expect(withoutSedLine(stage.blame), `blame, ${branch}`).toEqual(withoutSedLine(EXPECTED));
      expect(withoutSedLine(stage.notes), `notes, ${branch}`).toEqual(withoutSedLine(EXPECTED));
    }
  });
});

describe("the person's work in progress at a switch", () => {
  it("the person's uncommitted wip.txt and README edit at Claude's limit are not attributed to Claude, and a rollback of Claude leaves them as they are", async () => {
    const repo = newRepo();
    const git = gitIn(repo);
    writeFileSync(join(repo, 'README.md'), '# demo\n');
    git('add', '-A');
    git('commit', '-qm', 'the project before the session');
    const base = git('rev-parse', 'HEAD').trim();
    // The person's work in progress, not committed when the session starts.
    const wip = 'notes the person is still writing\n';
    const readme = '# demo\n\nA paragraph the person is still writing.\n';
    writeFileSync(join(repo, 'wip.txt'), wip);
    writeFileSync(join(repo, 'README.md'), readme);
    const lib = join(repo, 'lib.js');

    const steps: Step[] = [
      {
        id: 'write lib',
        call: { name: 'Write', input: { file_path: lib, content: 'export const lib = 1;\nexport const more = 2;\n' } },
        done: (c) => c.name === 'Write' && c.input.file_path === lib,
      },
    ];
    const plan = planOf(steps);
    const claude = await fakeClaude(plan, 'write lib');
    const deepseek = await fakeDeepSeek(plan);
    const config = configFile(claude.url, deepseek.url);
    const { run, result, context } = await session(repo, config, 'Write lib.js.');
    const ctx = `${context}\nanswered ${JSON.stringify(plan.answered)}`;
    expect(result, ctx).toMatchObject({ is_error: false, result: 'All steps are done.' });
    expect(run.exitCode, ctx).toBe(0);
    expect(plan.answered, ctx).toEqual([
      ['claude', 'write lib'],
      ['deepseek', 'done'],
    ]);
    expect(readFileSync(lib, 'utf8')).toBe('export const lib = 1;\nexport const more = 2;\n');
    // The person's files are as they left them.
    expect(readFileSync(join(repo, 'wip.txt'), 'utf8')).toBe(wip);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe(readme);

    // The auto-commit at the switch names only the model whose edits it holds.
    const switches = readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; from?: string; to?: string; commit?: string | null })
      .filter((e) => e.kind === 'switch');
    expect(
      switches.map((e) => [e.from, e.to]),
      ctx,
    ).toEqual([['claude', 'deepseek']]);
    const autoCommit = switches[0].commit!;
    expect(autoCommit, ctx).toMatch(/^[0-9a-f]{40}$/);
    expect(git('log', '-1', '--format=%(trailers:key=Model,valueonly,separator=%x2C)', autoCommit).trim()).toBe('claude');
    const inAutoCommit = git('show', '--format=', '--name-only', autoCommit).trim().split('\n');
    expect(inAutoCommit).toContain('lib.js');
    // What it holds of the person's is listed in its message as theirs (and what it does not hold is still there).
    const message = git('log', '-1', '--format=%B', autoCommit);
    for (const f of ['wip.txt', 'README.md'].filter((f) => inAutoCommit.includes(f)))
      expect
        .soft(
          message.split('\n').filter((l) => l.includes(f)),
          `the auto-commit's message names ${f} as the person's\n${message}`,
        )
        .toEqual([expect.stringMatching(/\S/)]);
    // No note gives a line of the person's files to a model; blame says the person wrote them, and Claude lib.js.
    const commits = git('rev-list', `${base}..HEAD`).trim().split('\n');
    const byModel = commits.flatMap((c) =>
      (noteOf(repo, c)?.files ?? [])
        .filter((f) => f.path === 'wip.txt' || f.path === 'README.md')
        .flatMap((f) => f.ranges.filter((r) => r.contributor.type !== 'human').map((r) => `${c} ${f.path} ${r.start_line}-${r.end_line}`)),
    );
    expect.soft(byModel, "ranges of the person's files given to a model").toEqual([]);
    expect.soft(await cliBlame(repo, 'lib.js'), 'claude-fallback blame lib.js').toEqual(['claude', 'claude']);
    // README's first line is the project's; the person's two lines are theirs, or not committed yet where the
    // auto-commit left them in the work tree.
    const readmeLines = git('status', '--porcelain', '--', 'README.md').trim() ? 'uncommitted' : 'human';
    expect.soft(await cliBlame(repo, 'README.md'), 'claude-fallback blame README.md').toEqual(['human', readmeLines, readmeLines]);
    if (git('ls-files', 'wip.txt').trim()) expect.soft(await cliBlame(repo, 'wip.txt'), 'claude-fallback blame wip.txt').toEqual(['human']);
    expect.soft(noteProblems(repo, autoCommit), 'the auto-commit note against the format').toEqual([]);

    // A rollback of Claude's work leaves the person's files as they are: it rolls back at once, or (the person's
    // README edit being an uncommitted change to a tracked file) refuses untouched, naming README.md; then the
    // person commits their work, as the refusal tells them, and rolls back again.
    const personsFiles = () => ({
      wip: existsSync(join(repo, 'wip.txt')) ? readFileSync(join(repo, 'wip.txt'), 'utf8') : null,
      readme: readFileSync(join(repo, 'README.md'), 'utf8'),
    });
    let rollback = await cli(repo, 'review', '--rollback', 'claude', '--json');
    expect(personsFiles(), 'the first rollback').toEqual({ wip, readme });
    if (rollback.exitCode === 4) {
      expect(JSON.parse(rollback.stdout), rollback.stdout).toMatchObject({ error: { dirty: ['README.md'] } });
      expect(readFileSync(lib, 'utf8')).toBe('export const lib = 1;\nexport const more = 2;\n');
      git('add', 'README.md', 'wip.txt');
      git('commit', '-qm', 'README and notes, by the person');
      expect(git('log', '-1', '--format=%(trailers:key=Model,valueonly,separator=%x2C)').trim(), "the person's commit").toBe('');
      rollback = await cli(repo, 'review', '--rollback', 'claude', '--json');
    }
    expect(rollback.exitCode, `${rollback.stdout}\n${rollback.stderr}`).toBe(0);
    expect(existsSync(lib), 'lib.js is rolled back').toBe(false);
    expect(personsFiles(), 'after the rollback').toEqual({ wip, readme });
    expect
      .soft(await cliBlame(repo, 'README.md'), 'claude-fallback blame README.md after the rollback')
      .toEqual(['human', 'human', 'human']);
  }, 240_000);
});

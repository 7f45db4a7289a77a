// A fake Anthropic that validates /v1/messages the way the real API does before it answers: it
// issues the signatures of the thinking fixture and refuses (400 invalid_request_error, with the real
// API's wording) history it would refuse: a thinking block it did not sign, a tool loop without
// thinking while thinking is on, an unanswered tool_use, a bad or repeated tool_use id, empty text.
// Otherwise it streams a fixture. Sources: docs/protocols.md §1.2, §1.6, §6; the messages quoted below
// are Anthropic's (CLIProxyAPI#2172, Antigravity-Manager#139 and #608, claude-code#23440, Anthropic's
// docs on tool use).

import { randomBytes } from 'node:crypto';

import { fixture, startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from './fake-upstream.ts';
import { parseSse } from '../../test-support/sse.ts';

type Block = { type: string; [key: string]: unknown };
type Message = { role: string; content: string | Block[] };
type Body = {
  model?: unknown;
  max_tokens?: unknown;
  messages?: unknown;
  thinking?: { type?: string; budget_tokens?: number };
  context_management?: { edits?: { type?: string }[] };
};

export const THINKING_FIXTURE = fixture('anthropic-stream-thinking.sse');
export const TEXT_FIXTURE = fixture('anthropic-stream-text.sse');
export const TOOL_FIXTURE = fixture('anthropic-stream-tool-use.sse');

/**
 * Claude opening a tool loop with thinking: the thinking fixture's thinking block (index 0, the
 * signature this fake issues) followed by the tool-use fixture's tool_use block (index 1) and its end.
 */
export const THINKING_TOOL_FIXTURE = [
  ...frames(THINKING_FIXTURE).filter((f) => f.data.type === 'message_start' || f.data.index === 0),
  ...frames(TOOL_FIXTURE).filter((f) => f.data.index === 1 || f.data.type === 'message_delta' || f.data.type === 'message_stop'),
]
  .map((f) => f.raw)
  .join('');

function frames(sse: string): { raw: string; data: { type: string; index?: number } }[] {
  return parseSse(sse).map((e) => ({
    raw: `event: ${e.event}\ndata: ${e.data}\n\n`,
    data: JSON.parse(e.data) as { type: string; index?: number },
  }));
}

/** signature → the thinking text it signs: the thinking fixture's, and any made by signThinking. */
export const ISSUED_SIGNATURES: ReadonlyMap<string, string> = issuedSignatures(THINKING_FIXTURE);

/** A signature this fake accepts for exactly `thinking` (for answers a test scripts itself). */
export function signThinking(thinking: string): string {
  const signature = 'EqQB' + randomBytes(48).toString('base64');
  (ISSUED_SIGNATURES as Map<string, string>).set(signature, thinking);
  return signature;
}

function issuedSignatures(sse: string): Map<string, string> {
  const text = new Map<number, string>();
  const issued = new Map<string, string>();
  for (const e of parseSse(sse)) {
    const data = JSON.parse(e.data) as { type: string; index?: number; delta?: { type: string; thinking?: string; signature?: string } };
    if (data.type !== 'content_block_delta' || data.index === undefined) continue;
    if (data.delta?.type === 'thinking_delta') text.set(data.index, (text.get(data.index) ?? '') + data.delta.thinking);
    if (data.delta?.type === 'signature_delta') issued.set(data.delta.signature!, text.get(data.index) ?? '');
  }
  return issued;
}

const ID = /^[a-zA-Z0-9_-]+$/;

const LOOP_WITHOUT_THINKING =
  'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). ' +
  'We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. ' +
  'Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

function blocksOf(m: Message): Block[] {
  return typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
}

function thinkingOn(body: Body): boolean {
  return body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive';
}

/** Why the real API would answer 400 to this /v1/messages body, or null when it would take it. */
export function rejectionOf(input: unknown): string | null {
  if (!input || typeof input !== 'object') return 'request body must be a JSON object';
  const body = input as Body;
  if (typeof body.model !== 'string') return 'model: Field required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  const messages = body.messages as Message[];
  if (body.thinking?.type === 'enabled') {
    const budget = body.thinking.budget_tokens ?? 0;
    if (budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (budget >= body.max_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  }
  // Thinking-clearing context edits only make sense, and are only accepted, with thinking on.
  if (!thinkingOn(body) && body.context_management?.edits?.some((e) => String(e.type).startsWith('clear_thinking')))
    return 'context_management.edits.0: `clear_thinking_20251015` strategy requires `thinking` to be enabled';

  const seen = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system') {
      const problem = systemMessageProblem(String(body.model), messages, i);
      if (problem) return problem;
      continue;
    }
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    for (const [j, b] of blocksOf(m).entries()) {
      const at = `messages.${i}.content.${j}`;
      const problem = blockProblem(b, m.role, at, seen);
      if (problem) return problem;
    }
  }

  // Anthropic merges consecutive turns of the same role before it pairs tool calls and results.
  const turns: { role: string; index: number; blocks: Block[] }[] = [];
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system') continue; // instructions between turns, not a turn
    const last = turns.at(-1);
    if (last && last.role === m.role) last.blocks.push(...blocksOf(m));
    else turns.push({ role: m.role, index: i, blocks: [...blocksOf(m)] });
  }
  if (turns[0].role !== 'user') return 'messages: first message must use the "user" role';
  for (const [k, turn] of turns.entries()) {
    const calls = turn.role === 'assistant' ? turn.blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id)) : [];
    const next = turns[k + 1];
    if (calls.length > 0 && next) {
      const answered = new Set(next.blocks.filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)));
      const missing = calls.filter((id) => !answered.has(id));
      if (missing.length > 0)
        return `messages.${next.index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    if (turn.role === 'user') {
      const prev = turns[k - 1];
      const asked = new Set(prev ? prev.blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id)) : []);
      for (const [j, b] of turn.blocks.entries()) {
        if (b.type === 'tool_result' && !asked.has(String(b.tool_use_id)))
          return `messages.${turn.index}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }

  // With thinking on, the assistant turn that opened the current tool loop must start with thinking.
  const last = turns.at(-1)!;
  if (thinkingOn(body) && last.role === 'user' && last.blocks.some((b) => b.type === 'tool_result')) {
    let prompt = -1; // the latest user turn that is the user's own words, not tool results
    turns.forEach((t, k) => {
      if (t.role === 'user' && !t.blocks.some((b) => b.type === 'tool_result')) prompt = k;
    });
    const opener = turns[prompt + 1];
    const first = opener?.role === 'assistant' ? opener.blocks[0] : undefined;
    if (first && first.type !== 'thinking' && first.type !== 'redacted_thinking')
      return `messages.${opener.index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first.type}\`. ${LOOP_WITHOUT_THINKING}`;
  }
  return null;
}

/**
 * Mid-conversation system messages (Claude 4.8 and later on Anthropic's API; Claude Code 2.1.332 sends
 * one after the first user turn): https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages.
 * Placement as UKGovernmentBEIS/inspect_ai's Anthropic provider enforces it (src/inspect_ai/model/_providers/
 * anthropic.py): right after a user turn, and last or before an assistant turn (the wording of that
 * refusal is this fake's own); older models answer "role 'system' is not supported on this model"
 * (verified there on 2026-06-10).
 */
function systemMessageProblem(model: string, messages: Message[], i: number): string | null {
  const v = /^claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d)(?!\d))?/.exec(model);
  const supported = v !== null && (Number(v[1]) > 4 || (Number(v[1]) === 4 && Number(v[2] ?? 0) >= 8));
  if (!supported) return `messages.${i}.role: role 'system' is not supported on this model`;
  const prev = messages[i - 1];
  const next = messages[i + 1];
  if (prev?.role !== 'user' || (next !== undefined && next.role !== 'assistant'))
    return `messages.${i}: a system message must follow a user turn and either end the messages or precede an assistant turn`;
  return null;
}

function blockProblem(b: Block, role: string, at: string, seen: Set<string>): string | null {
  switch (b.type) {
    case 'text':
      // The real API names no index here (anthropics/claude-code#23440, anomalyco/opencode#31259).
      if (typeof b.text !== 'string' || b.text === '') return 'messages: text content blocks must be non-empty';
      if (b.text.trim() === '') return 'messages: text content blocks must contain non-whitespace text';
      return null;
    case 'thinking':
      if (role !== 'assistant') return `${at}.type: thinking blocks are only allowed in assistant messages`;
      // A signature is bound to the exact thinking text it was issued with.
      if (ISSUED_SIGNATURES.get(String(b.signature)) !== b.thinking) return `${at}: Invalid \`signature\` in \`thinking\` block`;
      return null;
    case 'redacted_thinking':
      // This fake never issues redacted thinking, so any such block is one it did not make.
      return `${at}: Invalid \`data\` in \`redacted_thinking\` block`;
    case 'tool_use': {
      if (role !== 'assistant') return `${at}.type: tool_use blocks are only allowed in assistant messages`;
      const id = String(b.id);
      if (!ID.test(id)) return `${at}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      if (seen.has(id)) return `${at}: \`tool_use\` ids must be unique`;
      seen.add(id);
      return null;
    }
    case 'tool_result': {
      if (role !== 'user') return `${at}.type: tool_result blocks are only allowed in user messages`;
      if (!ID.test(String(b.tool_use_id))) return `${at}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      if (Array.isArray(b.content)) {
        for (const [k, inner] of (b.content as Block[]).entries()) {
          const problem = inner.type === 'text' || inner.type === 'image' ? blockProblem(inner, role, `${at}.content.${k}`, seen) : null;
          if (problem) return problem;
        }
      }
      return null;
    }
    case 'image':
      return role === 'user' ? null : `${at}.type: image blocks are only allowed in user messages`;
    default:
      return null;
  }
}

export type Verdict = { status: number; message?: string };

export type StrictAnthropic = FakeUpstream & {
  /** One per /v1/messages request, in order: 429 while limited, 400 with the reason, or 200. */
  verdicts: Verdict[];
  /** While true every /v1/messages request gets 429 rate_limit_error with `retry-after`. */
  limited: boolean;
};

export type StrictOptions = {
  limited?: boolean;
  retryAfter?: string;
  /** The SSE answer to an accepted request; default: the thinking fixture with thinking on, else the text one. */
  answer?: (body: Body, thinking: boolean) => string;
  /**
   * Headers added to the n-th accepted answer (from 0): a subscription's `anthropic-ratelimit-unified-*` state, which
   * Anthropic sends on successful answers too (see unifiedLimitHeaders).
   */
  limits?: (n: number) => Record<string, string>;
  /** A silence after `message_start` of each answer, as a model takes before it writes (default: none). */
  pauseMs?: number;
};

/**
 * A Claude subscription's unified rate-limit headers as Anthropic sends them on an answer: the spent fraction of the
 * 5-hour and 7-day windows (0..1) and their resets in Unix seconds, the overall status and the window that decides.
 * Names and value forms as seen on real answers: https://github.com/anomalyco/opencode/pull/49499
 * (`anthropic-ratelimit-unified-5h-utilization = 0.42`, `…-status = allowed`, resets per window),
 * https://github.com/anthropics/claude-code/issues/12829 (`…-representative-claim: five_hour`),
 * https://github.com/anthropics/claude-code/issues/41185 (`allowed_warning` near the limit).
 */
export function unifiedLimitHeaders(l: {
  fiveHour: number;
  sevenDay: number;
  fiveHourReset: number;
  sevenDayReset: number;
  status?: 'allowed' | 'allowed_warning' | 'rejected';
}): Record<string, string> {
  const secs = (ms: number) => String(Math.floor(ms / 1000));
  const claim = l.fiveHour >= l.sevenDay ? 'five_hour' : 'seven_day';
  return {
    'anthropic-ratelimit-unified-status': l.status ?? 'allowed',
    'anthropic-ratelimit-unified-5h-utilization': String(l.fiveHour),
    'anthropic-ratelimit-unified-5h-reset': secs(l.fiveHourReset),
    'anthropic-ratelimit-unified-7d-utilization': String(l.sevenDay),
    'anthropic-ratelimit-unified-7d-reset': secs(l.sevenDayReset),
    'anthropic-ratelimit-unified-representative-claim': claim,
    'anthropic-ratelimit-unified-reset': secs(claim === 'five_hour' ? l.fiveHourReset : l.sevenDayReset),
  };
}

export async function startStrictAnthropic(opts: StrictOptions = {}): Promise<StrictAnthropic> {
  const verdicts: Verdict[] = [];
  let self: StrictAnthropic | undefined;
  const handler = (req: RecordedRequest): Reply => {
    if (req.url.startsWith('/v1/messages/count_tokens')) return { kind: 'json', status: 200, body: { input_tokens: 42 } };
    if (!req.url.startsWith('/v1/messages')) return { kind: 'json', status: 404, body: error('not_found_error', `${req.url} not found`) };
    if (self?.limited) {
      verdicts.push({ status: 429 });
      return {
        kind: 'json',
        status: 429,
        body: JSON.parse(fixture('anthropic-429.json')),
        headers: { 'retry-after': opts.retryAfter ?? '1' },
      };
    }
    const reason = rejectionOf(req.json);
    if (reason) {
      verdicts.push({ status: 400, message: reason });
      return { kind: 'json', status: 400, body: error('invalid_request_error', reason) };
    }
    const accepted = verdicts.filter((v) => v.status === 200).length;
    verdicts.push({ status: 200 });
    const body = req.json as Body;
    const answer = opts.answer ?? ((_b: Body, thinking: boolean) => (thinking ? THINKING_FIXTURE : TEXT_FIXTURE));
    return {
      kind: 'sse',
      text: answer(body, thinkingOn(body)),
      headers: { 'request-id': `req_strict_${verdicts.length}`, ...opts.limits?.(accepted) },
      ...(opts.pauseMs ? { pauseAfter: { frames: 1, ms: opts.pauseMs } } : {}),
    };
  };
  self = Object.assign(await startFakeUpstream(handler), { verdicts, limited: opts.limited ?? false });
  return self;
}

function error(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_strict_fake' };
}

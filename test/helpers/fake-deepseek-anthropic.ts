// DeepSeek's Anthropic-compatible endpoint (https://api.deepseek.com/anthropic), as strict as the real
// one where the proxy's behaviour depends on it. Each rule cites where it is documented or reported.
// Errors use the OpenAI-shaped body DeepSeek sends even on /anthropic (not Anthropic's {"type":"error"}).

import { startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from './fake-upstream.ts';
import { anthropicSSE, deepSeekSignature, type Turn } from './vendor-sse.ts';

type Block = { type: string; [key: string]: unknown };
type Message = { role: string; content: string | Block[] };
export type DeepSeekBody = { model?: unknown; max_tokens?: unknown; messages?: Message[]; thinking?: { type?: string }; stream?: boolean };

/** https://github.com/NousResearch/hermes-agent/issues/17992, /pull/21048, https://github.com/OEvortex/aether/issues/31 */
export const PASS_BACK = 'The `content[].thinking` in the thinking mode must be passed back to the API.';

function error(status: number, message: string, type = 'invalid_request_error'): Reply {
  return { kind: 'json', status, body: { error: { message, type, param: null, code: 'invalid_request_error' } } };
}

/**
 * "claude-opus*" maps to deepseek-v4-pro, other "claude*" names to deepseek-flash; DeepSeek's own names
 * are taken (deepseek-v4-flash is still accepted and served by Flash); anything else is refused
 * (https://api-docs.deepseek.com/guides/anthropic_api, https://api-docs.deepseek.com/quick_start/pricing;
 * "Model Not Exist": https://github.com/mozilla-ai/any-llm/issues/1172).
 */
export function servedModel(name: string): string | null {
  if (name.startsWith('claude-opus')) return 'deepseek-v4-pro';
  if (name.startsWith('claude')) return 'deepseek-flash';
  if (['deepseek-flash', 'deepseek-v4-flash', 'deepseek-v4-pro', 'deepseek-pro'].includes(name)) return name;
  return null;
}

/**
 * Thinking is on unless the request says `thinking: {type: "disabled"}`: leaving the field out does not
 * turn it off (https://api-docs.deepseek.com/guides/thinking_mode "Thinking mode is enabled by default";
 * https://github.com/NousResearch/hermes-agent/issues/15700, /issues/107238).
 */
export function thinksFor(body: DeepSeekBody): boolean {
  return body.thinking?.type !== 'disabled';
}

export type FakeDeepSeek = FakeUpstream & {
  /** One per /v1/messages request: 400 with the reason, or 200. */
  verdicts: { status: number; message?: string }[];
  /** The signatures this fake issued, with the thinking text each one signs. */
  issued: Map<string, string>;
};

export type FakeDeepSeekOptions = {
  key: string;
  /** The model's next turn; `thinking` is added by the fake itself when thinking is on. */
  reply: (body: DeepSeekBody, i: number) => Turn;
  /** The thinking text of each answer while thinking is on. */
  thinking?: (i: number) => string;
  /** A silence after `message_start` of each answer, as a model takes before it writes (default: none). */
  pauseMs?: number;
  /** The input tokens each answer reports (default 100): a priced test's spend. */
  inputTokens?: number;
};

/** Why DeepSeek would refuse this body, or null. */
export function deepSeekRejection(body: DeepSeekBody, issued: ReadonlyMap<string, string>): string | null {
  if (typeof body.model !== 'string' || servedModel(body.model) === null) return 'Model Not Exist';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: field required';
  if (!thinksFor(body)) return null;
  for (const m of body.messages) {
    if (m.role !== 'assistant' || typeof m.content === 'string') continue;
    // A thinking block must carry the signature DeepSeek returned for it, unchanged; a block it did not
    // write (Claude's, or rebuilt without its signature) is refused
    // (https://github.com/ranxianglei/billion-context/issues/146, /pull/147).
    for (const b of m.content) {
      if (b.type === 'redacted_thinking') return PASS_BACK;
      if (b.type === 'thinking' && issued.get(String(b.signature)) !== b.thinking) return PASS_BACK;
    }
    // Tool-call turns must bring their thinking back in every later request (the docs: "for turns that
    // do perform tool calls, the reasoning_content must be fully passed back to the API in all
    // subsequent requests": https://api-docs.deepseek.com/zh-cn/guides/thinking_mode,
    // https://github.com/anomalyco/opencode/issues/24722).
    if (m.content.some((b) => b.type === 'tool_use') && !m.content.some((b) => b.type === 'thinking')) return PASS_BACK;
  }
  return null;
}

export async function startFakeDeepSeek(opts: FakeDeepSeekOptions): Promise<FakeDeepSeek> {
  const verdicts: FakeDeepSeek['verdicts'] = [];
  const issued = new Map<string, string>();
  const handler = (req: RecordedRequest): Reply => {
    if (!/^\/(anthropic\/)?v1\/messages(\?|$)/.test(req.url)) return error(404, `${req.url} not found`);
    // Bearer wins over x-api-key when both are sent (https://api-docs.deepseek.com/api/create-message).
    const auth = req.headers.authorization?.replace(/^Bearer /, '') ?? req.headers['x-api-key'];
    if (auth !== opts.key) {
      verdicts.push({ status: 401, message: 'Authentication Fails' });
      return error(401, 'Authentication Fails, Your api key is invalid', 'authentication_error');
    }
    const body = (req.json ?? {}) as DeepSeekBody;
    const reason = deepSeekRejection(body, issued);
    if (reason) {
      verdicts.push({ status: 400, message: reason });
      return error(400, reason);
    }
    const i = verdicts.length;
    verdicts.push({ status: 200 });
    const turn = { ...opts.reply(body, i) };
    delete turn.thinking;
    const thinking = thinksFor(body);
    const signature = deepSeekSignature();
    if (thinking) {
      turn.thinking = opts.thinking?.(i) ?? `DeepSeek reasons about step ${i}.`;
      issued.set(signature, turn.thinking);
    }
    const { sse } = anthropicSSE(turn, {
      model: String(body.model),
      signature: thinking ? signature : undefined,
      inputTokens: opts.inputTokens,
    });
    return { kind: 'sse', text: sse, ...(opts.pauseMs ? { pauseAfter: { frames: 1, ms: opts.pauseMs } } : {}) };
  };
  return Object.assign(await startFakeUpstream(handler), { verdicts, issued });
}

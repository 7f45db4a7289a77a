// Gemini's native API (generativelanguage.googleapis.com/v1beta) as strict as the real one where the
// proxy's behaviour depends on it; each rule cites where it is documented or reported. Errors have
// Google's shape {"error":{"code","message","status"[,"details"]}}.

import { randomBytes } from 'node:crypto';
import { fixture, startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from './fake-upstream.ts';
import { geminiSSE, type GeminiCallOut } from './vendor-sse.ts';

type Part = {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: { id?: string; name: string; args?: unknown };
  functionResponse?: { id?: string; name?: string; response?: unknown };
};
type Content = { role?: string; parts: Part[] };
export type GeminiBody = {
  contents?: Content[];
  tools?: { functionDeclarations?: { name: string; parametersJsonSchema?: unknown; parameters?: unknown }[] }[];
  generationConfig?: { thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string; includeThoughts?: boolean } };
};

const invalid = (message: string): Reply => ({
  kind: 'json',
  status: 400,
  body: { error: { code: 400, message, status: 'INVALID_ARGUMENT' } },
});

/**
 * A bad, expired or unknown key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID, not a 401
 * (https://github.com/continuedev/continue/issues/8516, /issues/11336).
 */
export const API_KEY_INVALID = {
  error: {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'API key not valid. Please pass a valid API key.',
      },
    ],
  },
};

/** png, jpeg, webp, heic, heif only (https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);
/** PDF and plain-text documents (https://ai.google.dev/gemini-api/docs/document-processing). */
const OTHER_TYPES = /^(application\/pdf|text\/[a-z+.-]+|audio\/|video\/)/;

/** Google's documented values for calls the model did not make (https://ai.google.dev/gemini-api/docs/thought-signatures#faqs). */
const DUMMY_SIGNATURES = new Set(['skip_thought_signature_validator', 'context_engineering_is_the_way_to_go']);

/** Gemini 3 and the `-latest` aliases, which now point at it (https://github.com/sterlp/eclipse-peon-ai/issues/115). */
export const isGemini3 = (model: string) => /^gemini-([3-9]|\d{2,})|^gemini-(flash|pro|flash-lite)-latest$/.test(model);

/**
 * The models that sign their function calls and refuse an unsigned call of the current turn: Gemini 3
 * (https://ai.google.dev/gemini-api/docs/thought-signatures) and, since 2026-04/05, Gemini 2.5 Pro,
 * Flash and Flash-Lite, thinking or not (400 INVALID_ARGUMENT "Function call is missing a
 * thought_signature in functionCall parts … position 2": https://github.com/Mirrowel/LLM-API-Key-Proxy/issues/160
 * on 2.5-flash-lite, https://github.com/rowboatlabs/rowboat/issues/694 and
 * https://github.com/Gitlawb/openclaude/issues/583 on 2.5-flash). 2.0 and older sign nothing.
 */
export const signsCalls = (model: string) => isGemini3(model) || /^gemini-2\.5/.test(model);

/**
 * Levels each Gemini 3 model takes (https://ai.google.dev/gemini-api/docs/thinking; 3 Pro: low and high;
 * 3.7/3.8 Flash reject MINIMAL: https://github.com/google/xrblocks/pull/530, https://github.com/coder/xum/pull/4060).
 */
function allowedLevels(model: string): string[] {
  if (/pro/.test(model)) return ['LOW', 'HIGH'];
  if (/^gemini-3\.[7-9]/.test(model)) return ['LOW', 'MEDIUM', 'HIGH'];
  return ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'];
}

/** Why Gemini would refuse this body for `model`, or null. */
export function geminiRejection(body: GeminiBody, model: string, issued: ReadonlySet<string>): string | null {
  const contents = body.contents ?? [];
  if (contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  for (const c of contents) if (c.role !== 'user' && c.role !== 'model') return 'Please use a valid role: user, model.';

  const tc = body.generationConfig?.thinkingConfig;
  if (tc) {
    // https://github.com/sterlp/eclipse-peon-ai/issues/115; 2.5 takes no level (https://github.com/enricoros/big-AGI/issues/893).
    if (tc.thinkingBudget !== undefined && tc.thinkingLevel !== undefined)
      return 'You can only set only one of thinking budget and thinking level.';
    if (tc.thinkingLevel !== undefined) {
      if (!isGemini3(model)) return 'thinking_level is not supported by this model';
      if (!allowedLevels(model).includes(tc.thinkingLevel.toUpperCase()))
        return `Thinking level ${tc.thinkingLevel.toUpperCase()} is not supported for this model.`;
    }
  }

  for (const decl of body.tools?.flatMap((t) => t.functionDeclarations ?? []) ?? []) {
    const problem = refProblem(decl.parametersJsonSchema);
    if (problem) return problem;
  }

  for (const [i, c] of contents.entries()) {
    for (const [j, p] of c.parts.entries()) {
      const type = p.inlineData?.mimeType;
      if (type !== undefined && !IMAGE_TYPES.has(type) && !OTHER_TYPES.test(type)) return `Unsupported MIME type: ${type}`;
      if (p.functionResponse && !p.functionResponse.name)
        return `* GenerateContentRequest.contents[${i}].parts[${j}].function_response.name: Name cannot be empty.`;
    }
    const calls = c.parts.filter((p) => p.functionCall);
    if (c.role === 'model' && calls.length > 0) {
      // https://github.com/earendil-works/pi/issues/471
      const prev = contents[i - 1];
      if (!prev || prev.role !== 'user')
        return 'Please ensure that function call turn comes immediately after a user turn or after a function response turn.';
      const next = contents[i + 1];
      const responses = next?.parts.filter((p) => p.functionResponse).length ?? 0;
      // https://github.com/microsoft/vscode/issues/299295
      if (next && responses !== calls.length)
        return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    }
  }
  // https://github.com/crewAIInc/crewAI/pull/7157
  if (contents.at(-1)!.role === 'model') return 'Requests ending with a model turn are not supported';

  if (signsCalls(model)) {
    // The current turn: everything after the last user content with the user's own words ("the most
    // recent User message that contains standard content (e.g., text) … This won't be a
    // functionResponse"). Its function-call steps must carry a signature on their first call (strict
    // validation applies to the current turn only: https://ai.google.dev/gemini-api/docs/thought-signatures,
    // https://github.com/spring-projects/spring-ai/pull/4977).
    let start = 0;
    contents.forEach((c, i) => {
      if (c.role === 'user' && !c.parts.some((p) => p.functionResponse) && c.parts.some((p) => p.text !== undefined || p.inlineData))
        start = i + 1;
    });
    for (const [i, c] of contents.entries()) {
      if (i < start || c.role !== 'model') continue;
      const first = c.parts.findIndex((p) => p.functionCall);
      if (first < 0) continue;
      const p = c.parts[first];
      // Google's text as reported: "function call `default_api:Write` , position 2" for the first model
      // content of a request (contents[1]), so the position is the content's, counted from 1.
      if (p.thoughtSignature === undefined)
        return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${p.functionCall!.name}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
      // A signature this model did not issue (another model's, a made-up one): https://github.com/earendil-works/pi/issues/471
      if (!DUMMY_SIGNATURES.has(p.thoughtSignature) && !issued.has(p.thoughtSignature)) return 'Corrupted thought signature.';
    }
  }
  return null;
}

/**
 * "If $ref is set on a sub-schema, no other properties, except for than those starting as a $, may be
 * set" (https://ai.google.dev/api/generate-content#v1beta.GenerationConfig); the API's own message
 * allows description and default (https://github.com/anomalyco/opencode/issues/12295).
 */
function refProblem(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const v of node) {
      const p = refProblem(v);
      if (p) return p;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  const o = node as Record<string, unknown>;
  if (typeof o.$ref === 'string') {
    const others = Object.keys(o).filter((k) => !k.startsWith('$') && k !== 'description' && k !== 'default');
    if (others.length > 0) {
      const name = o.$ref.split('/').at(-1);
      return `Schema.ref '${name}' was set alongside unsupported fields. If a schema node has Schema.ref set, then only description and default can be set alongside it; other fields they would be replaced by the expanded reference.`;
    }
  }
  for (const v of Object.values(o)) {
    const p = refProblem(v);
    if (p) return p;
  }
  return null;
}

export type StrictGemini = FakeUpstream & {
  verdicts: { status: number; message?: string }[];
  /** While true every request gets the 429 fixture (RESOURCE_EXHAUSTED with RetryInfo). */
  limited: boolean;
  /** functionCall ids seen more than once across the requests' histories. Google names no error for it
   * (none found); repeated ids pair results with the wrong call (https://github.com/anomalyco/opencode/pull/44051). */
  duplicateIds(): string[];
};

export type ScriptedGeminiTurn = {
  thought?: string;
  text?: string;
  calls?: { name: string; args: Record<string, unknown>; id?: string }[];
};

export type StrictGeminiOptions = {
  key: string;
  reply: (body: GeminiBody, i: number, model: string) => ScriptedGeminiTurn;
  /** Gemini 3 returns ids (https://github.com/brainlid/langchain/pull/620); 2.x often none. Default: by model. */
  ids?: boolean;
  /** The 429's RetryInfo delay, as the fixture has it unless given ("31s" there). */
  retryDelay?: string;
};

export async function startStrictGemini(opts: StrictGeminiOptions): Promise<StrictGemini> {
  const verdicts: StrictGemini['verdicts'] = [];
  const issued = new Set<string>();
  const duplicates = new Set<string>();
  let self: StrictGemini | undefined;
  const handler = (req: RecordedRequest): Reply => {
    const m = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)/.exec(req.url);
    if (!m) return { kind: 'json', status: 404, body: { error: { code: 404, message: `${req.url} not found`, status: 'NOT_FOUND' } } };
    const model = decodeURIComponent(m[1]);
    if (req.headers['x-goog-api-key'] !== opts.key) {
      verdicts.push({ status: 400, message: 'API_KEY_INVALID' });
      return { kind: 'json', status: 400, body: API_KEY_INVALID };
    }
    if (self?.limited) {
      verdicts.push({ status: 429 });
      const body = JSON.parse(fixture('gemini-429.json')) as { error: { details?: { retryDelay?: string }[] } };
      if (opts.retryDelay) for (const d of body.error.details ?? []) if (d.retryDelay) d.retryDelay = opts.retryDelay;
      return { kind: 'json', status: 429, body };
    }
    const body = (req.json ?? {}) as GeminiBody;
    const ids = (body.contents ?? []).flatMap((c) => c.parts.flatMap((p) => (p.functionCall?.id ? [p.functionCall.id] : [])));
    for (const id of ids.filter((id, k) => ids.indexOf(id) !== k)) duplicates.add(id);
    const reason = geminiRejection(body, model, issued);
    if (reason) {
      verdicts.push({ status: 400, message: reason });
      return invalid(reason);
    }
    const i = verdicts.length;
    verdicts.push({ status: 200 });
    const turn = opts.reply(body, i, model);
    const withIds = opts.ids ?? isGemini3(model);
    const calls: GeminiCallOut[] = (turn.calls ?? []).map((c, k) => {
      const out: GeminiCallOut = { name: c.name, args: c.args };
      if (withIds) out.id = c.id ?? 'fc_' + randomBytes(6).toString('hex');
      // Gemini 3 and 2.5 sign the first call of each step (https://ai.google.dev/gemini-api/docs/thought-signatures,
      // https://github.com/rowboatlabs/rowboat/issues/694).
      if (k === 0 && signsCalls(model)) {
        out.thoughtSignature = randomBytes(24).toString('base64');
        issued.add(out.thoughtSignature);
      }
      return out;
    });
    return { kind: 'sse', text: geminiSSE({ thought: turn.thought, text: turn.text, calls }, model) };
  };
  self = Object.assign(await startFakeUpstream(handler), { verdicts, limited: false, duplicateIds: () => [...duplicates] });
  return self;
}

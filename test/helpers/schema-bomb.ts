// Tool schemas whose `$ref`s fan out: each of `levels` definitions has `fanOut` properties that all
// refer to the next one, so inlining them naively makes fanOut^levels nodes from a few KB of JSON.
// Run as a script (`node --import tsx schema-bomb.ts LEVELS FAN_OUT`) it starts a fake Gemini and the
// real proxy with `schema: parameters`, sends one request with the schema and prints one JSON line
// about what reached Gemini, so a test can watch a blow-up from outside, in its own process.

import { fixture, startFakeUpstream } from './fake-upstream.ts';
import { startLooseHarness } from './loose-tiers.ts';

export function fanOutSchema(levels: number, fanOut: number): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) {
    const next = i + 1 < levels ? { $ref: `#/$defs/D${i + 1}` } : { type: 'string' };
    const properties: Record<string, unknown> = {};
    for (let p = 0; p < fanOut; p++) properties[`p${p}`] = next;
    defs[`D${i}`] = { type: 'object', properties };
  }
  return { type: 'object', properties: { root: { $ref: '#/$defs/D0' } }, required: ['root'], $defs: defs };
}

export type BombResult = { status: number; geminiBodyBytes: number; parameters: string; ms: number };

/** Sends one request with `schema` as the input_schema of tool `Deep` through a gemini tier. */
export async function sendThroughGemini(schema: Record<string, unknown>): Promise<BombResult> {
  const gemini = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('gemini-stream-text.sse') }));
  const h = await startLooseHarness({
    tiers: [{ name: 'gem', protocol: 'gemini', base_url: gemini.url, api_key: 'k', model: 'gemini-2.5-flash', schema: 'parameters' }],
  });
  try {
    const started = Date.now();
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'Deep', description: 'd', input_schema: schema }],
      }),
    });
    await res.text();
    const sent = gemini.requests[0];
    const decl = (sent?.json as { tools?: { functionDeclarations?: { parameters?: unknown }[] }[] } | null)?.tools?.[0]
      ?.functionDeclarations?.[0];
    return {
      status: res.status,
      geminiBodyBytes: sent?.body.length ?? 0,
      parameters: JSON.stringify(decl?.parameters ?? null),
      ms: Date.now() - started,
    };
  } finally {
    await h.close();
    await gemini.close();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [levels, fanOut] = process.argv.slice(2).map(Number);
  const r = await sendThroughGemini(fanOutSchema(levels, fanOut));
  process.stdout.write(JSON.stringify({ ...r, parameters: r.parameters.slice(0, 100_000), parametersBytes: r.parameters.length }) + '\n');
}

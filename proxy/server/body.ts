// Request bodies: read with a size limit (413 past it, early when content-length says so), a nesting
// limit (400 past it), and a Messages request checked for the fields every route needs before anything is sent upstream.

import type { IncomingMessage } from 'node:http';
import type { MessagesRequest } from '../wire/types.ts';
import { ProxyError } from '../wire/errors.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../wire/json-depth.ts';
import type { ClientRequest } from '../providers/provider.ts';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () =>
    new ProxyError(413, 'request_too_large', `request body is larger than the proxy's limit of ${limit} bytes (proxy.max_body)`, {
      connection: 'close',
    });
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

export function parseMessagesBody(raw: Buffer, opts: { needsMaxTokens?: boolean } = {}): MessagesRequest {
  // Before anything recursive sees the body: every walker after this point may trust its depth.
  const deep = tooDeepAt(raw, MAX_JSON_DEPTH);
  if (deep >= 0)
    throw new ProxyError(
      400,
      'invalid_request_error',
      `request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at byte ${deep}); the proxy's limit is ${MAX_JSON_DEPTH}`,
    );
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ProxyError(400, 'invalid_request_error', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ProxyError(400, 'invalid_request_error', 'request body must be a JSON object');
  const b = body as Partial<MessagesRequest>;
  if (typeof b.model !== 'string') throw new ProxyError(400, 'invalid_request_error', 'model: field required (a string)');
  if (!Array.isArray(b.messages)) throw new ProxyError(400, 'invalid_request_error', 'messages: field required (an array)');
  if (opts.needsMaxTokens !== false && typeof b.max_tokens !== 'number')
    throw new ProxyError(400, 'invalid_request_error', 'max_tokens: field required (a number)');
  checkShape(b);
  return b as MessagesRequest;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shapeError = (path: string, what: string) => new ProxyError(400, 'invalid_request_error', `${path}: ${what}`);

/** A content block list: each an object with a string `type`. */
function checkBlocks(blocks: unknown[], path: string): void {
  blocks.forEach((block, i) => {
    if (!isObject(block)) throw shapeError(`${path}.${i}`, 'must be an object (a content block)');
    if (typeof block.type !== 'string') throw shapeError(`${path}.${i}.type`, 'field required (a string)');
  });
}

/**
 * The shapes every adapter relies on, checked before anything goes upstream: a wrong one is the client's
 * mistake (400 naming the field, as Anthropic's API does), never a crash answered 500 (which the SDK retries).
 */
function checkShape(b: Partial<MessagesRequest>): void {
  (b.messages as unknown[]).forEach((m, i) => {
    const path = `messages.${i}`;
    if (!isObject(m)) throw shapeError(path, 'must be an object with role and content');
    if (typeof m.role !== 'string') throw shapeError(`${path}.role`, 'field required (a string)');
    if (typeof m.content === 'string') return;
    if (!Array.isArray(m.content)) throw shapeError(`${path}.content`, 'must be a string or an array of content blocks');
    checkBlocks(m.content, `${path}.content`);
  });
  const system: unknown = b.system;
  if (system !== undefined && typeof system !== 'string') {
    if (!Array.isArray(system)) throw shapeError('system', 'must be a string or an array of text blocks');
    checkBlocks(system, 'system');
  }
  const tools: unknown = b.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw shapeError('tools', 'must be an array');
    tools.forEach((t, i) => {
      if (!isObject(t)) throw shapeError(`tools.${i}`, 'must be an object (a tool)');
    });
  }
}

/** A Messages request body, read and checked, with what an adapter needs of the request it came in. */
export async function readClientRequest(
  req: IncomingMessage,
  limit: number,
  opts: { needsMaxTokens?: boolean } = {},
): Promise<ClientRequest> {
  const raw = await readBody(req, limit);
  return { body: parseMessagesBody(raw, opts), raw, path: req.url ?? '/v1/messages', headers: req.headers };
}

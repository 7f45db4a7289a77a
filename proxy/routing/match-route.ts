// Which routing rule a request matches: the first whose conditions all hold, cheap conditions first, and the token
// estimate (a walk of the whole body) only when a rule still needs it. Pure: nothing here changes state.

import type { IncomingHttpHeaders } from 'node:http';
import type { ContentBlockParam, MessagesRequest } from '../wire/types.ts';
import type { RouteRule } from './route-rule.ts';

export type RouteFacts = {
  model: string;
  headers: IncomingHttpHeaders;
  body: MessagesRequest;
  /** The local token estimate, made at most once a request (the engine's own, shared with the window check). */
  estimate: () => number;
};

export function matchRoute(rules: readonly RouteRule[], facts: RouteFacts): RouteRule | null {
  let images: boolean | undefined;
  for (const rule of rules) {
    if (rule.tiers.length === 0) continue; // every tier it names was left out at load: the tier list as today
    if (rule.headers && !rule.headers.every((h) => headerHolds(facts.headers[h.name], h.value))) continue;
    if (rule.model && !rule.model.regex.test(facts.model)) continue;
    if (rule.tools && !(facts.body.tools ?? []).some((t) => typeof t?.name === 'string' && rule.tools!.regex.test(t.name))) continue;
    if (rule.images !== undefined && (images ??= hasImages(facts.body)) !== rule.images) continue;
    if (rule.tokensOver !== undefined || rule.tokensUnder !== undefined) {
      const n = facts.estimate();
      if (rule.tokensOver !== undefined && !(n > rule.tokensOver)) continue;
      if (rule.tokensUnder !== undefined && !(n < rule.tokensUnder)) continue;
    }
    return rule;
  }
  return null;
}

/**
 * A header sent twice arrives as a list (or joined, for most names): it never equals one value, so a malformed
 * header is not a match (and never an error).
 */
function headerHolds(got: string | string[] | undefined, want: boolean | string): boolean {
  if (want === true) return got !== undefined;
  if (want === false) return got === undefined;
  return got === want;
}

/** Whether any message carries an image block, at its top level or inside a tool result. */
export function hasImages(body: MessagesRequest): boolean {
  for (const m of body.messages ?? []) {
    if (typeof m.content === 'string' || !Array.isArray(m.content)) continue;
    if (m.content.some(blockHasImage)) return true;
  }
  return false;
}

function blockHasImage(b: ContentBlockParam): boolean {
  if (b?.type === 'image') return true;
  if (b?.type === 'tool_result' && Array.isArray(b.content)) return b.content.some(blockHasImage);
  return false;
}

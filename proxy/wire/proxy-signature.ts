// Thinking blocks the proxy makes from another provider's reasoning carry a signature marked as ours,
// so they can never reach Anthropic as if it had signed them (it answers 400 "Invalid signature").
// The payload lets a provider keep state that must come back next turn (Gemini thoughtSignature).

const PREFIX = 'fallback-proxy.v1.';

export type ProxySignaturePayload = {
  /** The provider protocol that produced the block, e.g. "gemini" or "openai". */
  provider: string;
  /** Provider state to restore next turn, e.g. Gemini thoughtSignature by tool_use id. */
  state?: Record<string, string>;
};

export function encodeProxySignature(payload: ProxySignaturePayload): string {
  return PREFIX + Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The payload of a proxy-made signature, or null for anything else (a genuine Anthropic signature). */
export function decodeProxySignature(signature: string | undefined): ProxySignaturePayload | null {
  if (!signature?.startsWith(PREFIX)) return null;
  try {
    const value = JSON.parse(Buffer.from(signature.slice(PREFIX.length), 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && typeof (value as ProxySignaturePayload).provider === 'string')
      return value as ProxySignaturePayload;
  } catch {
    // not ours after all
  }
  return null;
}

export function isProxySignature(signature: string | undefined): boolean {
  return signature?.startsWith(PREFIX) ?? false;
}

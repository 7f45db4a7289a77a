// Thinking blocks from an Anthropic-compatible vendor (DeepSeek's /anthropic endpoint and the like) are
// the vendor's, not Anthropic's: their signature is one Anthropic never issued, and Anthropic checks
// every thinking block of the history (400 "messages.N.content.M: Invalid `signature` in `thinking`
// block": https://github.com/deepseek-ai/awesome-deepseek-integration/issues/606,
// https://github.com/ding113/claude-code-hub/issues/518). So on the way back to Claude Code each such
// block gets a signature marked as the proxy's that carries the vendor's own one (and the tier's name);
// proxy/anthropic/prepare-for-anthropic.ts then never lets it reach Anthropic, and
// `restoreVendorThinking` gives the vendor its block back byte for byte when the request goes to the
// same tier (DeepSeek rejects a thinking block without the signature it issued:
// https://github.com/ranxianglei/billion-context/pull/147, https://github.com/NousResearch/hermes-agent/pull/21048).
// A vendor's signature has no reliable format (a UUID, base64, or none at all:
// https://github.com/QuantumNous/new-api/issues/4762), so blocks are marked by the tier they came from.

import { decodeProxySignature, encodeProxySignature } from '../../wire/proxy-signature.ts';
import type { ContentBlock, ContentBlockParam, Message, StreamEvent } from '../../wire/types.ts';
import type { EventTransform, Warn } from '../provider.ts';
import { parseJSONData, type SSEEvent } from '../../wire/sse.ts';
import { anthropicEventOf } from './anthropic-event.ts';

export const VENDOR_PROVIDER = 'anthropic-compatible';

/** What a marked block carries: the tier it came from and the vendor's own signature or redacted data. */
export type VendorThinking = { tier: string; signature?: string; redactedData?: string };

export function vendorThinkingSignature(v: VendorThinking): string {
  const state: Record<string, string> = { tier: v.tier };
  if (v.signature !== undefined) state.signature = v.signature;
  if (v.redactedData !== undefined) state.redacted = v.redactedData;
  return encodeProxySignature({ provider: VENDOR_PROVIDER, state });
}

/** The vendor thinking a signature marks, or null (Anthropic's own, or another provider's). */
export function vendorThinkingOf(signature: string | undefined): VendorThinking | null {
  const payload = decodeProxySignature(signature);
  if (payload?.provider !== VENDOR_PROVIDER || typeof payload.state?.tier !== 'string') return null;
  const out: VendorThinking = { tier: payload.state.tier };
  if (typeof payload.state.signature === 'string') out.signature = payload.state.signature;
  if (typeof payload.state.redacted === 'string') out.redactedData = payload.state.redacted;
  return out;
}

/**
 * The block as the vendor sent it, when `block` is a marked block of tier `tier`; null for any other
 * block that is thinking (Anthropic's, another tier's, another provider's), which the vendor cannot take.
 * Blocks that are not thinking come back unchanged.
 */
export function restoreVendorThinking(block: ContentBlockParam, tier: string): ContentBlockParam | null {
  if (block.type === 'redacted_thinking') return null;
  if (block.type !== 'thinking') return block;
  const v = vendorThinkingOf(block.signature);
  if (v === null || v.tier !== tier) return null;
  if (v.redactedData !== undefined) return { type: 'redacted_thinking', data: v.redactedData };
  const restored = { type: 'thinking', thinking: block.thinking } as ContentBlockParam & { signature?: string };
  if (v.signature !== undefined) restored.signature = v.signature;
  return restored;
}

/** A non-streaming answer of tier `tier` with its thinking blocks marked. */
export function markVendorMessage(message: Message, tier: string): Message {
  if (!message.content.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking')) return message;
  return { ...message, content: message.content.map((b) => markBlock(b, tier)) };
}

function markBlock(b: ContentBlock, tier: string): ContentBlock {
  if (b.type === 'thinking')
    return { ...b, signature: vendorThinkingSignature({ tier, signature: (b as { signature?: string }).signature }) };
  if (b.type === 'redacted_thinking')
    return { type: 'thinking', thinking: '', signature: vendorThinkingSignature({ tier, redactedData: b.data }) };
  return b;
}

type Open = { signature?: string; signed: boolean };

/**
 * The vendor's SSE events with every thinking block's signature marked: a `signature_delta` carries the
 * marked signature instead of the vendor's; a block that ended without one (DeepSeek may send none) gets
 * one before its `content_block_stop`; `redacted_thinking` becomes an empty thinking block carrying its
 * data. Everything else passes as it came.
 */
export function createVendorThinkingMarker(tier: string, warn: Warn = () => {}): EventTransform {
  const open = new Map<number, Open>();
  return {
    transform(event: SSEEvent): StreamEvent[] {
      const e = anthropicEventOf(parseJSONData(event), warn);
      if (e === null) return [];
      if (e.type === 'content_block_start' && (e.content_block.type === 'thinking' || e.content_block.type === 'redacted_thinking')) {
        const start = e.content_block as { type: string; thinking?: string; signature?: string; data?: string };
        if (start.type === 'redacted_thinking') {
          return [
            { type: 'content_block_start', index: e.index, content_block: { type: 'thinking', thinking: '', signature: '' } },
            {
              type: 'content_block_delta',
              index: e.index,
              delta: { type: 'signature_delta', signature: vendorThinkingSignature({ tier, redactedData: start.data ?? '' }) },
            },
          ];
        }
        open.set(e.index, { signature: start.signature || undefined, signed: false });
        return [
          {
            type: 'content_block_start',
            index: e.index,
            content_block: { type: 'thinking', thinking: start.thinking ?? '', signature: '' },
          },
        ];
      }
      if (e.type === 'content_block_delta' && e.delta.type === 'signature_delta' && open.has(e.index)) {
        open.get(e.index)!.signed = true;
        return [{ ...e, delta: { type: 'signature_delta', signature: vendorThinkingSignature({ tier, signature: e.delta.signature }) } }];
      }
      if (e.type === 'content_block_stop' && open.has(e.index)) {
        const block = open.get(e.index)!;
        open.delete(e.index);
        if (block.signed) return [e];
        return [
          {
            type: 'content_block_delta',
            index: e.index,
            delta: { type: 'signature_delta', signature: vendorThinkingSignature({ tier, signature: block.signature }) },
          },
          e,
        ];
      }
      return [e];
    },
    flush: () => [],
  };
}

// Which adapter serves each `protocol` of the config: every protocol has one, so a lookup cannot fail.
// (A vendor that needs its own handling on top of a protocol gets its own adapter here.)

import type { Protocol } from '../config.ts';
import type { ProviderAdapter } from './provider.ts';
import { anthropicAdapter } from './anthropic/anthropic-adapter.ts';
import { openaiAdapter } from './openai/openai-adapter.ts';
import { geminiAdapter } from './gemini/gemini-adapter.ts';

export type Adapters = Readonly<Record<Protocol, ProviderAdapter>>;

export const ADAPTERS: Adapters = { anthropic: anthropicAdapter, openai: openaiAdapter, gemini: geminiAdapter };

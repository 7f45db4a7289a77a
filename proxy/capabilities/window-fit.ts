// Whether a request fits a tier's context window, by the same local estimate count_tokens gives
// (proxy/count-tokens.ts: about 4 characters a token, erring high), and the answer when no tier fits:
// exactly Anthropic's too-long error, which Claude Code recognises and answers by compacting
// (https://platform.claude.com/docs/en/build-with-claude/context-windows#context-window-overflow-behavior,
// body as in https://github.com/anthropics/claude-code/issues/7866).

export type WindowFit = { fits: boolean; estimate: number; window?: number };

/** A tier whose window is not known always fits. `estimate` is estimateInputTokens (proxy/count-tokens.ts)
 * of the request, computed once per request by the caller. */
export function fitsWindow(estimate: number, window: number | undefined): WindowFit {
  return { fits: window === undefined || estimate <= window, estimate, ...(window !== undefined ? { window } : {}) };
}

/**
 * Anthropic's 400 for a prompt over the window, with nothing else in it: Claude Code matches
 * `/^prompt is too long: \d+ tokens > \d+ maximum$/` and reads the gap from the two numbers.
 */
export function promptTooLongBody(
  estimate: number,
  window: number,
): { type: 'error'; error: { type: 'invalid_request_error'; message: string } } {
  return { type: 'error', error: { type: 'invalid_request_error', message: `prompt is too long: ${estimate} tokens > ${window} maximum` } };
}

// finishReason → stop_reason: STOP depends on whether functions were called; unknown reasons keep the answer.

import { describe, expect, it } from 'vitest';
import { mapGeminiFinishReason } from '../../../proxy/providers/gemini/map-gemini-finish-reason.ts';
import { geminiModelLimits } from '../../../proxy/providers/gemini/gemini-limits.ts';

describe('mapGeminiFinishReason', () => {
  it('STOP is end_turn without calls and tool_use with them', () => {
    expect(mapGeminiFinishReason('STOP', false)).toEqual({ kind: 'stop', stopReason: 'end_turn' });
    expect(mapGeminiFinishReason('STOP', true)).toEqual({ kind: 'stop', stopReason: 'tool_use' });
  });

  it('LANGUAGE is a refusal and FINISH_REASON_UNSPECIFIED an error', () => {
    expect(mapGeminiFinishReason('LANGUAGE', false)).toEqual({ kind: 'stop', stopReason: 'refusal' });
    expect(mapGeminiFinishReason('FINISH_REASON_UNSPECIFIED', false).kind).toBe('error');
  });

  it('a reason newer than the list keeps the answer like STOP', () => {
    expect(mapGeminiFinishReason('SOMETHING_NEW', true)).toEqual({ kind: 'stop', stopReason: 'tool_use' });
  });
});

describe('geminiModelLimits', () => {
  it('knows 2.5 and 3 output limits and which models can turn thinking off', () => {
    expect(geminiModelLimits('gemini-2.5-flash')).toMatchObject({ maxOutputTokens: 65536, thinking: { canDisable: true, max: 24576 } });
    expect(geminiModelLimits('models/gemini-2.5-pro')).toMatchObject({ thinking: { canDisable: false, min: 128 } });
    expect(geminiModelLimits('gemini-2.5-flash-lite').thinking!.min).toBe(512);
    expect(geminiModelLimits('gemini-3-pro-preview').thinking!.canDisable).toBe(false);
    expect(geminiModelLimits('gemini-2.0-flash')).toEqual({ maxOutputTokens: 8192 });
  });
});

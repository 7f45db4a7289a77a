// The Run's typed in-process event bus: what happened in one running proxy, for whoever keeps a view of it (the
// status line, today's usage, the notifier, the dashboard's event stream). Listeners run synchronously in the order
// they subscribed; one that throws is logged and does not stop the others or the emitter.

import type { EditEvent, LedgerEvent, SwitchEvent, UsageEvent } from '../git/ledger.ts';
import type { UnifiedLimits } from '../status/rate-limits.ts';

export type RunEvent =
  /** The active tier changed (its ledger line, as written). */
  | { type: 'switch'; line: SwitchEvent }
  /** One answer's usage (its ledger line). */
  | { type: 'usage'; line: UsageEvent }
  /** A file a model wrote through Claude Code's file tools (its ledger line). */
  | { type: 'edit'; line: EditEvent }
  /** Any other ledger line this proxy wrote (start, stop, external events…). */
  | { type: 'ledger'; line: LedgerEvent }
  /** A tier's state changed: a cooldown began or was lifted, a counter moved. */
  | { type: 'tiers' }
  /** Claude's subscription limits as one tier's answer reported them. */
  | { type: 'limit'; tier: string; limits: UnifiedLimits };

export type RunEventType = RunEvent['type'];
export type Listener = (event: RunEvent) => void;

export type RunEvents = {
  emit(event: RunEvent): void;
  /** Calls `listener` for every event from now on; returns the unsubscribe. */
  on(listener: Listener): () => void;
  /** The event a ledger line is. */
  fromLine(line: LedgerEvent): RunEvent;
};

export function createRunEvents(log: (line: string) => void): RunEvents {
  const listeners = new Set<Listener>();
  return {
    emit(event) {
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch (err) {
          log(`warning: a ${event.type} listener failed: ${(err as Error).message}`);
        }
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    fromLine(line) {
      if (line.kind === 'switch') return { type: 'switch', line };
      if (line.kind === 'usage') return { type: 'usage', line };
      if (line.kind === 'edit') return { type: 'edit', line };
      return { type: 'ledger', line };
    },
  };
}

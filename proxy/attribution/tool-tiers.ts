// Which tier wrote each tool call: the engine notes every `tool_use` id of the answers it relays (translated or
// passed through), so an edit or a snapshot names the model that made the call, not the one active when its result
// comes back (a switch, or a request answered by another tier, may come in between). Bounded: the oldest ids go first.

export type ToolWriter = { tier: string; model_id?: string };

export type ToolTiers = {
  note(id: string, writer: ToolWriter): void;
  get(id: string): ToolWriter | undefined;
  readonly size: number;
};

/** How many ids are kept: a long session's calls, far more than one conversation's results ever lag behind. */
export const TOOL_TIERS_LIMIT = 20_000;

export function createToolTiers(limit = TOOL_TIERS_LIMIT): ToolTiers {
  const ids = new Map<string, ToolWriter>(); // insertion order: the first key is the oldest
  return {
    note(id, writer) {
      ids.delete(id);
      ids.set(id, writer);
      if (ids.size > limit) ids.delete(ids.keys().next().value!);
    },
    get: (id) => ids.get(id),
    get size() {
      return ids.size;
    },
  };
}

export { modelIdOf } from './model-id.ts';

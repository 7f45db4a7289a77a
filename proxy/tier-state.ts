// The tier state moved to engine/tier-state.ts; proxy/switcher.ts still imports it from here (the merge
// that moves the switcher beside it removes this file).
export type { TierState } from './engine/tier-state.ts';

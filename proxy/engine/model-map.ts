// Which upstream model a tier asks for: the tier's family mapping, else its `model`, else the client's.

import type { TierConfig } from '../config.ts';
import { modelFamily } from '../wire/request-parts.ts';

export function upstreamModel(tier: TierConfig, requested: string): string {
  const family = modelFamily(requested);
  return (family && tier.models?.[family]) || tier.model || requested;
}

/**
 * VPA's default CPU recommendation, the reference the plan's CPU budget is measured against
 * (`overRequestCost: auto`): the 90th percentile of usage samples weighted with a 24-hour
 * half-life, × 1.15 (the recommender's default safety margin), at least 25m (its default
 * minimum). See the VPA recommender's `--target-cpu-percentile`, `--recommendation-margin-fraction`,
 * `--cpu-histogram-decay-half-life` and `--pod-recommendation-min-cpu-millicores` flags.
 */
import type { Sample } from '../../metrics/types.js';
import { decayWeights, weightedPercentile } from './estimate.js';

export const VPA_DEFAULTS = {
  cpuPercentile: 0.9,
  halfLifeSeconds: 24 * 3600,
  margin: 0.15,
  minCpuCores: 0.025,
} as const;

/** Cores VPA's defaults would request for these samples (of every pod of the container). */
export function vpaCpuReference(samples: readonly Sample[], now: number): number {
  if (samples.length === 0) return VPA_DEFAULTS.minCpuCores;
  const p90 = weightedPercentile(
    samples.map((s) => s.v),
    decayWeights(samples, now, VPA_DEFAULTS.halfLifeSeconds),
    VPA_DEFAULTS.cpuPercentile,
  );
  return Math.max(p90 * (1 + VPA_DEFAULTS.margin), VPA_DEFAULTS.minCpuCores);
}

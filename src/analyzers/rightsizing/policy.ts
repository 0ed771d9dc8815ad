/**
 * The right-sizing section of the policy, with its built-in defaults. The model parameters
 * (half-life, over-request cost, percentile floor, margins, jump factor) were chosen once on the
 * first 16 hours of the benchmark traces only (rolling folds inside those hours, the rule in
 * BENCHMARKS.md) and are not tuned per workload or on the judged hours.
 */
import { parseDuration } from '../../plan/duration.js';
import type { Policy, RightsizingPolicy } from '../../policy/types.js';
import { parseQuantity } from '../../util/quantity.js';
import type { CpuModel, MemoryModel } from './estimate.js';

export const DEFAULT_RIGHTSIZING_POLICY: RightsizingPolicy = {
  minHistory: '12h',
  maxStep: 0.3,
  minChange: 0.05,
  shortHistoryMargin: 0.05,
  fullConfidenceHistory: '24h',
  cpuLimits: false,
  hpaCpu: 'adjust-target',
  cpu: {
    halfLife: '4h',
    overRequestCost: 2,
    minPercentile: 0.9,
    margin: 0.05,
    throttlingThreshold: 0.1,
    limitRatio: 2,
    floor: '10m',
    roundMillicores: 5,
  },
  memory: {
    margin: 0.06,
    jumpFactor: 1,
    maxMargin: 0.2,
    oomBump: 0.2,
    floor: '32Mi',
    roundMi: 1,
  },
};

/** The policy's right-sizing section, or the defaults while the policy has none. */
export function rightsizingPolicyOf(policy: Policy): RightsizingPolicy {
  return (policy as { rightsizing?: RightsizingPolicy }).rightsizing ?? DEFAULT_RIGHTSIZING_POLICY;
}

/** The policy with durations and quantities in base units (seconds, cores, bytes). */
export interface ResolvedRightsizing {
  readonly policy: RightsizingPolicy;
  readonly minHistorySeconds: number;
  readonly fullConfidenceSeconds: number;
  readonly cpuModel: CpuModel;
  readonly memoryModel: MemoryModel;
  readonly cpuFloor: number;
  readonly memoryFloor: number;
}

export function resolveRightsizing(policy: RightsizingPolicy): ResolvedRightsizing {
  return {
    policy,
    minHistorySeconds: parseDuration(policy.minHistory, 'rightsizing.minHistory'),
    fullConfidenceSeconds: parseDuration(
      policy.fullConfidenceHistory,
      'rightsizing.fullConfidenceHistory',
    ),
    cpuModel: {
      halfLifeSeconds: parseDuration(policy.cpu.halfLife, 'rightsizing.cpu.halfLife'),
      overRequestCost: policy.cpu.overRequestCost,
      minPercentile: policy.cpu.minPercentile,
      margin: policy.cpu.margin,
    },
    memoryModel: {
      margin: policy.memory.margin,
      jumpFactor: policy.memory.jumpFactor,
      maxMargin: policy.memory.maxMargin,
    },
    cpuFloor: parseQuantity(policy.cpu.floor),
    memoryFloor: parseQuantity(policy.memory.floor),
  };
}

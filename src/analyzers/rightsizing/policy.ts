/**
 * The right-sizing section of the policy in base units. The built-in model parameters
 * (half-life, level spread, percentile floor, recent-window terms, memory margins) were chosen on
 * the first 16 hours of the benchmark traces only (folds inside those hours, the rules in
 * BENCHMARKS.md) and are not tuned per workload or on the judged hours.
 */
import { parseDuration } from '../../plan/duration.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import type { Policy, RightsizingPolicy } from '../../policy/types.js';
import { parseQuantity, roundCpu } from '../../util/quantity.js';
import type { CpuModel, MemoryModel } from './estimate.js';

/** The built-in right-sizing section (values in src/policy/defaults.ts). */
export const DEFAULT_RIGHTSIZING_POLICY: RightsizingPolicy = DEFAULT_POLICY.rightsizing;

/** The policy's right-sizing section. */
export function rightsizingPolicyOf(policy: Policy): RightsizingPolicy {
  return policy.rightsizing;
}

/** The policy with durations and quantities in base units (seconds, cores, bytes). */
export interface ResolvedRightsizing {
  readonly policy: RightsizingPolicy;
  readonly minHistorySeconds: number;
  readonly fullConfidenceSeconds: number;
  /** How long today's resources must have run before one of them is cut (0: no wait). */
  readonly soakSeconds: number;
  /**
   * The CPU model. Under `overRequestCost: auto` its price is a placeholder until the plan
   * solves it (`withOverRequestPrice`).
   */
  readonly cpuModel: CpuModel;
  /** True while the over-request price is still to be solved for the plan (`overRequestCost: auto`). */
  readonly solvePrice: boolean;
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
    soakSeconds: parseDuration(policy.soak, 'rightsizing.soak'),
    cpuModel: {
      halfLifeSeconds: parseDuration(policy.cpu.halfLife, 'rightsizing.cpu.halfLife'),
      overRequestCost: policy.cpu.overRequestCost === 'auto' ? 0 : policy.cpu.overRequestCost,
      levelSpread: policy.cpu.levelSpread,
      minPercentile: policy.cpu.minPercentile,
      margin: policy.cpu.margin,
      recentWindowSeconds: parseDuration(policy.cpu.recentWindow, 'rightsizing.cpu.recentWindow'),
      driftFactor: policy.cpu.driftFactor,
      madFactor: policy.cpu.madFactor,
    },
    solvePrice: policy.cpu.overRequestCost === 'auto',
    memoryModel: {
      margin: policy.memory.margin,
      jumpFactor: policy.memory.jumpFactor,
      maxMargin: policy.memory.maxMargin,
    },
    cpuFloor: parseQuantity(policy.cpu.floor),
    memoryFloor: parseQuantity(policy.memory.floor),
  };
}

/** A CPU estimate (cores) as a proposed request: at least the floor, rounded up to the policy's step. */
export function cpuRequestFrom(rules: ResolvedRightsizing, cores: number): number {
  return roundCpu(Math.max(cores, rules.cpuFloor), rules.policy.cpu.roundMillicores);
}

/** The rules with the over-request price fixed, as solved for a plan. */
export function withOverRequestPrice(
  rules: ResolvedRightsizing,
  price: number,
): ResolvedRightsizing {
  return { ...rules, solvePrice: false, cpuModel: { ...rules.cpuModel, overRequestCost: price } };
}

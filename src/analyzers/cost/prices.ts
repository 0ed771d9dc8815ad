/**
 * The price policy. Its built-in values are public on-demand list prices (Google Cloud E2 and
 * balanced persistent disk in us-central1, spot at the low end of the published discount); the
 * sources are cited beside the values in src/policy/defaults.ts and in policies/default.yaml.
 */
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import type { CostPolicy, Policy } from '../../policy/types.js';

export const DEFAULT_COST_POLICY: CostPolicy = DEFAULT_POLICY.cost;

/** The policy's cost section. */
export function costPolicyOf(policy: Policy): CostPolicy {
  return policy.cost;
}

/**
 * The price policy's built-in defaults: public on-demand list prices, USD, for the cheapest
 * general-purpose machine family of one large provider, so "today vs proposed" has a sensible
 * scale out of the box. Every figure is overridable in the policy's `cost` section.
 *
 * Sources (list prices as published in 2025, region us-central1 / Iowa):
 * - vCPU-hour 0.021811 and GiB-hour 0.002923: Google Compute Engine E2 predefined vCPU and memory,
 *   https://cloud.google.com/compute/vm-instance-pricing#e2_machine-types (cross-check: an
 *   e2-standard-2, 2 vCPU and 8 GiB, is 2 × 0.021811 + 8 × 0.002923 = 0.067006 per hour, its list price)
 * - storage GiB-month 0.10: Google Persistent Disk "balanced" (pd-balanced),
 *   https://cloud.google.com/compute/disks-image-pricing#disk
 * - spot discount 0.6: Google Spot VMs are "60-91%" cheaper than on-demand (the low end is used),
 *   https://cloud.google.com/spot-vms/pricing ; AWS quotes "up to 90%" for Spot Instances,
 *   https://aws.amazon.com/ec2/spot/pricing/
 * - 730 hours per month: 8,760 hours a year / 12, the convention both providers' calculators use.
 */
import type { CostPolicy, Policy } from '../../policy/types.js';

export const DEFAULT_COST_POLICY: CostPolicy = {
  currency: 'USD',
  vcpuHour: 0.021811,
  memoryGiBHour: 0.002923,
  storageGiBMonth: 0.1,
  spotDiscount: 0.6,
  hoursPerMonth: 730,
};

/** The policy's cost section, or the defaults while the policy has none. */
export function costPolicyOf(policy: Policy): CostPolicy {
  return (policy as { cost?: CostPolicy }).cost ?? DEFAULT_COST_POLICY;
}

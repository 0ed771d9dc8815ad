/**
 * The built-in policy: what TARS does when no policy file says otherwise. `policies/default.yaml`
 * documents the same values field by field (a test keeps the two equal).
 *
 * Adding a policy section: add it to `types.ts`, here, to `POLICY_SECTION_SCHEMAS` in `schema.ts`
 * and to `policies/default.yaml`; the compiler and the tests point at whichever is missing.
 */
import type { Policy } from './types.js';

export const DEFAULT_POLICY: Policy = deepFreeze({
  cluster: {},
  namespaces: {
    include: [],
    exclude: ['kube-system', 'kube-public', 'kube-node-lease'],
  },
  takeover: {
    adoptUnmanaged: true,
  },
  rollout: {
    phase: 3,
    waveSize: 5,
    autoMergeRiskBelow: 0.2,
  },
  bootstrap: {
    gitops: 'argocd',
    image: 'ghcr.io/tars-gitops/tars:0.1.0',
    schedule: '17 * * * *',
    repoURL: '',
    branch: 'main',
    path: 'generated',
    platform: 'none',
    tokenSecret: { name: 'tars-git', key: 'token' },
    argocdNamespace: 'argocd',
    fluxNamespace: 'flux-system',
    interval: '10m',
  },
  // Model parameters chosen once on the first 16 hours of the benchmark trace (BENCHMARKS.md).
  rightsizing: {
    minHistory: '12h',
    maxStep: 0.3,
    soak: '24h',
    minChange: 0.05,
    shortHistoryMargin: 0.05,
    fullConfidenceHistory: '24h',
    cpuLimits: false,
    hpaCpu: 'adjust-target',
    cpu: {
      halfLife: '8h',
      overRequestCost: 'auto',
      levelSpread: 0.3,
      minPercentile: 0.9,
      margin: 0,
      recentWindow: '30m',
      driftFactor: 0.25,
      madFactor: 2.5,
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
  },
  // Public on-demand list prices, USD, Google Cloud us-central1 (2025):
  // - vCPU-hour 0.021811, GiB-hour 0.002923: Compute Engine E2 predefined vCPU and memory,
  //   https://cloud.google.com/compute/vm-instance-pricing#e2_machine-types (cross-check: an
  //   e2-standard-2, 2 vCPU and 8 GiB, is 2 × 0.021811 + 8 × 0.002923 = 0.067006 per hour);
  // - storage GiB-month 0.10: Persistent Disk balanced, https://cloud.google.com/compute/disks-image-pricing#disk
  // - spot discount 0.6: Spot VMs are 60-91% cheaper (low end), https://cloud.google.com/spot-vms/pricing ;
  //   AWS says up to 90% for Spot Instances, https://aws.amazon.com/ec2/spot/pricing/
  // - 730 hours a month: 8,760 / 12, as both providers' calculators count.
  cost: {
    currency: 'USD',
    vcpuHour: 0.021811,
    memoryGiBHour: 0.002923,
    storageGiBMonth: 0.1,
    spotDiscount: 0.6,
    hoursPerMonth: 730,
  },
});

/** Frozen so no caller can change the defaults for everyone else by accident. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

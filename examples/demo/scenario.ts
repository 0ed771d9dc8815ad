/**
 * The story the demo data tells: an Online Boutique installed in namespace `boutique` of a
 * three-node EKS-like cluster on 2026-10-20, observed for the week 2026-11-01 .. 2026-11-08,
 * snapshotted at the end of that week. Everything generated derives from these constants.
 */

export const NAMESPACE = 'boutique';
export const CLUSTER_NAME = 'online-boutique';
export const SEED = 20261101;

const at = (iso: string): number => Date.parse(iso) / 1000;

export const TIMES = {
  nodesCreated: at('2026-10-12T06:41:19Z'),
  namespaceCreated: at('2026-10-20T09:11:52Z'),
  helmInstalled: at('2026-10-20T09:12:40Z'),
  kubectlApplied: at('2026-10-20T09:14:05Z'),
  argoSynced: at('2026-10-20T09:20:17Z'),
  /** checkoutservice rolled from v0.5.0 to v0.5.1: its old pod is in the history only. */
  checkoutRollout: at('2026-11-04T10:12:37Z'),
  historyStart: at('2026-11-01T00:00:00Z'),
  snapshotAt: at('2026-11-08T00:00:00Z'),
} as const;

export const STEP_SECONDS = 300;
export const HISTORY_STEPS = (TIMES.snapshotAt - TIMES.historyStart) / STEP_SECONDS;

export type Manager = 'kubectl' | 'helm' | 'argocd';

export const HELM_RELEASE = 'cart';
export const ARGO_APP = 'boutique';

/** Who applied each Deployment (and its Service): one Helm release, one Argo CD app, the rest kubectl. */
export function managerOf(deployment: string): Manager {
  if (deployment === 'redis-cart') return 'helm';
  if (deployment === 'adservice') return 'argocd';
  return 'kubectl';
}

/** When a Deployment (and its Service) was first applied, by whoever manages it. */
export function appliedAt(deployment: string): number {
  switch (managerOf(deployment)) {
    case 'helm':
      return TIMES.helmInstalled;
    case 'argocd':
      return TIMES.argoSynced;
    case 'kubectl':
      return TIMES.kubectlApplied;
  }
}

export const ROLLED_OUT = { deployment: 'checkoutservice', previousImageTag: 'v0.5.0' } as const;

/** The container that leaks memory and is OOMKilled a few times a week. */
export const LEAKING = {
  deployment: 'cartservice',
  container: 'server',
  /** Its pod was recreated when a node was replaced, shortly before the week observed. */
  podRecreated: at('2026-10-31T22:47:13Z'),
} as const;

const Mi = 1024 * 1024;

/**
 * How a container uses what it asked for. cpu in cores, memory in bytes; `perLoad` parts scale
 * with traffic (mean 1). Most are far below their requests; currencyservice runs above its CPU
 * request and close to its limit, so it is throttled at peaks.
 */
export interface UsageProfile {
  readonly cpuIdle: number;
  readonly cpuPerLoad: number;
  readonly memBase: number;
  readonly memPerLoad: number;
  /** Bytes gained per step at mean load and never given back (the leak); 0 for most. */
  readonly memLeakPerStep: number;
}

export const USAGE: Readonly<Record<string, UsageProfile>> = {
  frontend: {
    cpuIdle: 0.006,
    cpuPerLoad: 0.028,
    memBase: 31 * Mi,
    memPerLoad: 6 * Mi,
    memLeakPerStep: 0,
  },
  currencyservice: {
    cpuIdle: 0.035,
    cpuPerLoad: 0.095,
    memBase: 46 * Mi,
    memPerLoad: 9 * Mi,
    memLeakPerStep: 0,
  },
  productcatalogservice: {
    cpuIdle: 0.003,
    cpuPerLoad: 0.011,
    memBase: 13 * Mi,
    memPerLoad: 2 * Mi,
    memLeakPerStep: 0,
  },
  recommendationservice: {
    cpuIdle: 0.005,
    cpuPerLoad: 0.017,
    memBase: 61 * Mi,
    memPerLoad: 4 * Mi,
    memLeakPerStep: 0,
  },
  cartservice: {
    cpuIdle: 0.005,
    cpuPerLoad: 0.011,
    memBase: 44 * Mi,
    memPerLoad: 3 * Mi,
    memLeakPerStep: 0.11 * Mi,
  },
  checkoutservice: {
    cpuIdle: 0.002,
    cpuPerLoad: 0.004,
    memBase: 14 * Mi,
    memPerLoad: 1 * Mi,
    memLeakPerStep: 0,
  },
  emailservice: {
    cpuIdle: 0.002,
    cpuPerLoad: 0.003,
    memBase: 37 * Mi,
    memPerLoad: 1 * Mi,
    memLeakPerStep: 0,
  },
  paymentservice: {
    cpuIdle: 0.002,
    cpuPerLoad: 0.003,
    memBase: 39 * Mi,
    memPerLoad: 1 * Mi,
    memLeakPerStep: 0,
  },
  shippingservice: {
    cpuIdle: 0.001,
    cpuPerLoad: 0.003,
    memBase: 9 * Mi,
    memPerLoad: 1 * Mi,
    memLeakPerStep: 0,
  },
  adservice: {
    cpuIdle: 0.004,
    cpuPerLoad: 0.009,
    memBase: 148 * Mi,
    memPerLoad: 6 * Mi,
    memLeakPerStep: 0,
  },
  'redis-cart': {
    cpuIdle: 0.002,
    cpuPerLoad: 0.004,
    memBase: 7 * Mi,
    memPerLoad: 2 * Mi,
    memLeakPerStep: 0,
  },
  loadgenerator: {
    cpuIdle: 0.025,
    cpuPerLoad: 0.055,
    memBase: 68 * Mi,
    memPerLoad: 9 * Mi,
    memLeakPerStep: 0,
  },
};

export interface NodeSpec {
  readonly name: string;
  readonly ip: string;
  readonly zone: string;
  readonly instanceId: string;
  /** Pod IPs on this node come from this /24 (VPC CNI: pods share the node's subnet). */
  readonly podSubnet: string;
}

export const NODES: readonly NodeSpec[] = [
  {
    name: 'ip-10-0-1-23.eu-west-1.compute.internal',
    ip: '10.0.1.23',
    zone: 'eu-west-1a',
    instanceId: 'i-0a4f1c2e9b7d35e81',
    podSubnet: '10.0.1',
  },
  {
    name: 'ip-10-0-2-147.eu-west-1.compute.internal',
    ip: '10.0.2.147',
    zone: 'eu-west-1b',
    instanceId: 'i-07c93be1d5a2f6049',
    podSubnet: '10.0.2',
  },
  {
    name: 'ip-10-0-3-61.eu-west-1.compute.internal',
    ip: '10.0.3.61',
    zone: 'eu-west-1c',
    instanceId: 'i-0e58d7a3c1f90b264',
    podSubnet: '10.0.3',
  },
];

export const KUBELET_VERSION = 'v1.31.4-eks-aeac579';

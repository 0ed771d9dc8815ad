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
});

/** Frozen so no caller can change the defaults for everyone else by accident. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

import { READ_KINDS } from '../cluster/kinds.js';

/**
 * The read-only identity TARS ships for itself. Derived from the kinds the live source reads,
 * so the two can never drift: get/list/watch only, never Secrets, never pods/exec.
 */
export const TARS_CLUSTER_ROLE_NAME = 'tars-readonly';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ_VERBS = ['get', 'list', 'watch'];

/** Extra read access beyond READ_KINDS: point-in-time usage from metrics-server. */
const EXTRA_RULES: PolicyRule[] = [
  { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: READ_VERBS },
];

export function tarsClusterRoleRules(): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const info of READ_KINDS) {
    const set = byGroup.get(info.group) ?? new Set<string>();
    set.add(info.plural);
    byGroup.set(info.group, set);
  }
  const rules = [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({
      apiGroups: [group],
      resources: [...resources].sort(),
      verbs: [...READ_VERBS],
    }));
  return [...rules, ...EXTRA_RULES];
}

/** The ClusterRole object, as it is applied by the test cluster and rendered by the bootstrap chart. */
export function tarsClusterRole(): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  rules: PolicyRule[];
} {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: TARS_CLUSTER_ROLE_NAME, labels: { 'app.kubernetes.io/name': 'tars' } },
    rules: tarsClusterRoleRules(),
  };
}

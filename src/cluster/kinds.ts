/** The kinds TARS reads, with where the API serves them. Secrets are deliberately absent. */
export interface KindInfo {
  readonly kind: string;
  readonly group: string; // '' for core
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const k = (
  kind: string,
  group: string,
  version: string,
  plural: string,
  namespaced = true,
): KindInfo => ({
  kind,
  group,
  version,
  plural,
  namespaced,
});

export const READ_KINDS: readonly KindInfo[] = [
  k('Namespace', '', 'v1', 'namespaces', false),
  k('Node', '', 'v1', 'nodes', false),
  k('Deployment', 'apps', 'v1', 'deployments'),
  k('StatefulSet', 'apps', 'v1', 'statefulsets'),
  k('DaemonSet', 'apps', 'v1', 'daemonsets'),
  k('ReplicaSet', 'apps', 'v1', 'replicasets'),
  // A StatefulSet's or DaemonSet's revisions: since when its pods run today's resources.
  k('ControllerRevision', 'apps', 'v1', 'controllerrevisions'),
  k('Job', 'batch', 'v1', 'jobs'),
  k('CronJob', 'batch', 'v1', 'cronjobs'),
  k('Pod', '', 'v1', 'pods'),
  k('Service', '', 'v1', 'services'),
  k('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices'),
  k('Ingress', 'networking.k8s.io', 'v1', 'ingresses'),
  k('PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims'),
  k('PersistentVolume', '', 'v1', 'persistentvolumes', false),
  k('StorageClass', 'storage.k8s.io', 'v1', 'storageclasses', false),
  k('HorizontalPodAutoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers'),
  k('PodDisruptionBudget', 'policy', 'v1', 'poddisruptionbudgets'),
  k('NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies'),
  k('ServiceAccount', '', 'v1', 'serviceaccounts'),
  k('Role', 'rbac.authorization.k8s.io', 'v1', 'roles'),
  k('ClusterRole', 'rbac.authorization.k8s.io', 'v1', 'clusterroles', false),
  k('RoleBinding', 'rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  k('ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false),
  k('ConfigMap', '', 'v1', 'configmaps'),
  k('LimitRange', '', 'v1', 'limitranges'),
  k('ResourceQuota', '', 'v1', 'resourcequotas'),
  k('PriorityClass', 'scheduling.k8s.io', 'v1', 'priorityclasses', false),
];

export function apiVersionOf(info: KindInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

export function kindInfo(kind: string): KindInfo | undefined {
  return READ_KINDS.find((i) => i.kind === kind);
}

/**
 * What the GitOps engines read from the generated objects. Argo CD: sync waves order namespaces
 * and RBAC before workloads before the policies that refer to them; server-side apply lets
 * adopted objects drop kubectl's last-applied annotation and lets partial objects patch objects
 * managed elsewhere. Flux: the same partial objects are applied with the `Merge` policy and are
 * never pruned.
 */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const FLUX_SSA = 'kustomize.toolkit.fluxcd.io/ssa';
export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';

const WAVE_BY_KIND: Readonly<Record<string, string>> = {
  Namespace: '-1',
  CustomResourceDefinition: '-1',
  ServiceAccount: '0',
  Role: '0',
  ClusterRole: '0',
  RoleBinding: '0',
  ClusterRoleBinding: '0',
  Deployment: '1',
  StatefulSet: '1',
  DaemonSet: '1',
  CronJob: '1',
  Job: '1',
  HorizontalPodAutoscaler: '2',
  PodDisruptionBudget: '2',
  NetworkPolicy: '2',
  ScaledObject: '2',
  Schedule: '2',
  VolumeSnapshot: '2',
};

/** Argo CD sync wave of a kind; config, services and storage share RBAC's wave "0". */
export function syncWaveFor(kind: string): string {
  return WAVE_BY_KIND[kind] ?? '0';
}

/**
 * Kinds whose deletion destroys more than the object (every object in a namespace, persistent
 * data, every custom resource of a type): dropping them from the tree must never delete them.
 */
const NEVER_PRUNED = new Set([
  'Namespace',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'CustomResourceDefinition',
]);

/** Annotations of a full manifest (adopted or created by TARS). */
export function manifestAnnotations(kind: string): Record<string, string> {
  if (NEVER_PRUNED.has(kind)) {
    return {
      [ARGOCD_SYNC_WAVE]: syncWaveFor(kind),
      [ARGOCD_SYNC_OPTIONS]: 'ServerSideApply=true,Prune=false',
      [FLUX_PRUNE]: 'disabled',
    };
  }
  return { [ARGOCD_SYNC_WAVE]: syncWaveFor(kind), [ARGOCD_SYNC_OPTIONS]: 'ServerSideApply=true' };
}

/**
 * Annotations of a partial object: the fields TARS changes on an object Helm, another Argo CD
 * application or Flux manages. Applied with server-side apply it patches only those fields; it
 * is never pruned or deleted, because this tree does not own the object.
 */
export function partialObjectAnnotations(kind: string): Record<string, string> {
  return {
    [ARGOCD_SYNC_WAVE]: syncWaveFor(kind),
    [ARGOCD_SYNC_OPTIONS]: 'ServerSideApply=true,Prune=false,Delete=false',
    [FLUX_SSA]: 'Merge',
    [FLUX_PRUNE]: 'disabled',
  };
}

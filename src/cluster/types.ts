/**
 * What every cluster source produces: plain Kubernetes objects exactly as the API server
 * (or `kubectl get -o json`) prints them, plus what the source learned about the cluster.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

/** A Kubernetes object as JSON. Fields beyond the envelope are left untyped on purpose. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** API groups whose presence changes what TARS may emit (CRD kinds only when served). */
export const OPTIONAL_API_GROUPS = [
  'velero.io',
  'snapshot.storage.k8s.io',
  'argoproj.io',
  'kustomize.toolkit.fluxcd.io',
  'source.toolkit.fluxcd.io',
  'keda.sh',
  'networking.istio.io',
  'monitoring.coreos.com',
  'metrics.k8s.io',
] as const;
export type OptionalApiGroup = (typeof OPTIONAL_API_GROUPS)[number];

/** A kind the source could not read, and why. Never fatal: reported in the plan. */
export interface SkippedKind {
  kind: string;
  reason: 'forbidden' | 'not-served' | 'error';
  message: string;
}

export interface ClusterSnapshot {
  /** Cluster name: the kubeconfig context's cluster, or the snapshot directory's `cluster.yaml` name. */
  readonly clusterName: string;
  readonly source: 'live' | 'snapshot';
  /** Every object read, Secrets never among them. */
  readonly objects: readonly KubeObject[];
  /** Optional API groups the cluster serves. */
  readonly apiGroups: readonly string[];
  readonly skipped: readonly SkippedKind[];
}

export interface ClusterSource {
  /** Human-readable identity for messages, e.g. `cluster "kind-dev" at https://…`. */
  describe(): string;
  read(progress?: (message: string) => void): Promise<ClusterSnapshot>;
}

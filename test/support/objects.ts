/**
 * Builders for the Kubernetes objects and snapshots that analyzer tests feed in. Each returns a
 * plain object shaped as the API server prints it, with only the fields a test usually cares
 * about; a test whose point is an object's exact shape should write it out literally instead.
 */
import type { ClusterSnapshot, KubeObject } from '../../src/cluster/types.js';

export type Quantities = Readonly<Record<string, string>>;

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly resources?: { readonly requests?: Quantities; readonly limits?: Quantities };
}

/** A container with the image `<name>:1`; `resources` only holds what is given. */
export function container(name: string, requests?: Quantities, limits?: Quantities): Container {
  const resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  return {
    name,
    image: `${name}:1`,
    ...(requests || limits ? { resources } : {}),
  };
}

export interface WorkloadOptions {
  readonly name: string;
  readonly namespace: string;
  /** Defaults to one made of kind, namespace and name. */
  readonly uid?: string;
  readonly annotations?: Record<string, string>;
  /** Left out when not given (a DaemonSet has none). */
  readonly replicas?: number;
  /** Pod template labels besides `app: <name>`, which is the selector. */
  readonly labels?: Record<string, string>;
  readonly initContainers?: readonly Container[];
  readonly containers: readonly Container[];
  /** More fields of the workload's spec, after the template (e.g. volumeClaimTemplates). */
  readonly spec?: Record<string, unknown>;
}

export const deployment = (options: WorkloadOptions): KubeObject => workload('Deployment', options);
export const statefulSet = (options: WorkloadOptions): KubeObject =>
  workload('StatefulSet', options);
export const daemonSet = (options: Omit<WorkloadOptions, 'replicas'>): KubeObject =>
  workload('DaemonSet', options);

function workload(kind: string, options: WorkloadOptions): KubeObject {
  const { name, namespace, annotations, replicas, labels, initContainers, containers } = options;
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name,
      namespace,
      uid: options.uid ?? uidOf(kind, namespace, name),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: { ...(initContainers ? { initContainers } : {}), containers },
      },
      ...options.spec,
    },
  };
}

/** A Pod with the given spec; pass it to `ownedBy` to give it a controller. */
export function pod(name: string, namespace: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: uidOf('Pod', namespace, name) },
    spec,
  } satisfies KubeObject;
}

/** `child` with `parent` as its controlling owner. */
export function ownedBy(child: KubeObject, parent: KubeObject): KubeObject {
  const { apiVersion, kind, metadata } = parent;
  if (metadata.uid === undefined) throw new Error(`${kind} ${metadata.name} has no uid to own by`);
  return {
    ...child,
    metadata: {
      ...child.metadata,
      ownerReferences: [
        { apiVersion, kind, name: metadata.name, uid: metadata.uid, controller: true },
      ],
    },
  };
}

export function node(name: string, allocatable: Quantities = { cpu: '2', memory: '4Gi' }) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { allocatable },
  } satisfies KubeObject;
}

export interface HpaOptions {
  readonly namespace: string;
  /** The Deployment it scales; the HPA has the same name. */
  readonly deployment: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization in percent; without it the HPA lists no metrics. */
  readonly cpuUtilization?: number;
}

export function hpa(options: HpaOptions): KubeObject {
  const { namespace, deployment: name, minReplicas, maxReplicas, cpuUtilization } = options;
  const target = { type: 'Utilization', averageUtilization: cpuUtilization };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas,
      maxReplicas,
      ...(cpuUtilization !== undefined
        ? { metrics: [{ type: 'Resource', resource: { name: 'cpu', target } }] }
        : {}),
    },
  };
}

/** A PodDisruptionBudget named after, and selecting, the pods labelled `app: <app>`. */
export function pdb(options: { namespace: string; app: string; minAvailable: number }): KubeObject {
  const { namespace, app, minAvailable } = options;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: app, namespace },
    spec: { minAvailable, selector: { matchLabels: { app } } },
  };
}

/** A snapshot-source snapshot of `objects` with nothing skipped. */
export function snapshotOf(
  objects: readonly KubeObject[],
  options: { clusterName?: string; apiGroups?: readonly string[] } = {},
): ClusterSnapshot {
  const { clusterName = 'test', apiGroups = [] } = options;
  return { clusterName, source: 'snapshot', objects, apiGroups, skipped: [] };
}

function uidOf(kind: string, namespace: string, name: string): string {
  return `${kind.toLowerCase()}-${namespace}-${name}`;
}

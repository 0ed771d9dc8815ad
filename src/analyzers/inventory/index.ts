/**
 * inventory: the workloads of the cluster, the pods that belong to each, and who manages them.
 * Every other analyzer starts from its output.
 */
import { workloadHealth } from '../../kube/health.js';
import type { KubeObject } from '../../cluster/types.js';
import { arrayField, compareObjects, field, isRecord, podSpecOf } from '../../kube/objects.js';
import type { ContainerModel, Finding, WorkloadKind, WorkloadModel } from '../../model/types.js';
import type { Policy } from '../../policy/types.js';
import type { Analyzer, AnalyzerInput, AnalyzerOutput } from '../types.js';
import { managerOf } from './managers.js';
import { ObjectIndex, isWorkloadKind } from './owners.js';

/** `spec.replicas` is an int32 in the Kubernetes API. */
const INT32_MAX = 2 ** 31 - 1;

export function namespaceSelected(namespace: string, policy: Policy): boolean {
  const { include, exclude } = policy.namespaces;
  if (exclude.includes(namespace)) return false;
  return include.length === 0 || include.includes(namespace);
}

/** The containers of a workload's pod template, or of a Pod's own spec, init containers first. */
export function containersOf(workload: KubeObject): ContainerModel[] {
  const spec = podSpecOf(workload);
  const toModel =
    (init: boolean) =>
    (c: unknown): ContainerModel | undefined => {
      if (!isRecord(c) || typeof c.name !== 'string') return undefined;
      return {
        name: c.name,
        image: typeof c.image === 'string' ? c.image : '',
        init,
        // A native sidecar: an init container that keeps running (restartPolicy Always).
        ...(init && c.restartPolicy === 'Always' ? { sidecar: true } : {}),
        requests: stringMap(field(c, 'resources', 'requests')),
        limits: stringMap(field(c, 'resources', 'limits')),
      };
    };
  return [
    ...arrayField(spec, 'initContainers').map(toModel(true)),
    ...arrayField(spec, 'containers').map(toModel(false)),
  ].filter((c): c is ContainerModel => c !== undefined);
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

function isTopLevelWorkload(obj: KubeObject, index: ObjectIndex): boolean {
  if (!isWorkloadKind(obj.kind) || obj.metadata.namespace === undefined) return false;
  // Jobs created by a CronJob are part of that CronJob.
  return !(obj.kind === 'Job' && index.workloadOf(obj)?.kind === 'CronJob');
}

export function buildInventory(input: AnalyzerInput): {
  workloads: WorkloadModel[];
  findings: Finding[];
} {
  const { snapshot, policy } = input;
  const selected = (namespace: string): boolean => namespaceSelected(namespace, policy);
  const index = new ObjectIndex(snapshot.objects);
  const findings = snapshot.objects
    .filter((o) => o.kind === 'Pod' && index.workloadOf(o) === undefined)
    .filter((pod) => selected(pod.metadata.namespace ?? ''))
    .map(barePodFinding);
  return { workloads: workloadModels(snapshot.objects, selected), findings };
}

/**
 * The workloads of the namespaces `selected` keeps, each with its pods, sorted. The cost
 * analyzer also takes the others, whose pods take node capacity though the policy leaves them out.
 */
export function workloadModels(
  objects: readonly KubeObject[],
  selected: (namespace: string) => boolean,
): WorkloadModel[] {
  const index = new ObjectIndex(objects);
  const podsByWorkload = new Map<KubeObject, KubeObject[]>();
  for (const pod of objects.filter((o) => o.kind === 'Pod')) {
    const owner = index.workloadOf(pod);
    if (owner !== undefined) podsByWorkload.set(owner, [...(podsByWorkload.get(owner) ?? []), pod]);
  }

  return objects
    .filter((o) => isTopLevelWorkload(o, index) && selected(o.metadata.namespace!))
    .map((o): WorkloadModel => {
      const replicas = field(o, 'spec', 'replicas');
      // By name, so the model (health reasons included) does not depend on the source's order.
      const pods = [...(podsByWorkload.get(o) ?? [])].sort((a, b) =>
        a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
      );
      const model: WorkloadModel = {
        ref: {
          apiVersion: o.apiVersion,
          kind: o.kind as WorkloadKind,
          namespace: o.metadata.namespace!,
          name: o.metadata.name,
        },
        managedBy: managerOf(o),
        pods: pods.map((p) => p.metadata.name),
        containers: containersOf(o),
        health: workloadHealth(o, pods),
      };
      // The API server defaults replicas to 1; a snapshot written by hand may omit it, or hold
      // a value the API server would refuse (negative, fractional, beyond its int32), which
      // counts as omitted. The bound also keeps pod counts summed over workloads exact.
      const valid =
        typeof replicas === 'number' &&
        Number.isInteger(replicas) &&
        replicas >= 0 &&
        replicas <= INT32_MAX;
      return o.kind === 'Deployment' || o.kind === 'StatefulSet'
        ? { ...model, replicas: valid ? replicas : 1 }
        : model;
    })
    .sort((a, b) => compareObjects(a.ref, b.ref));
}

function barePodFinding(pod: KubeObject): Finding {
  return {
    check: 'inventory.bare-pod',
    concern: 'inventory',
    severity: 'medium',
    resource: {
      apiVersion: pod.apiVersion,
      kind: pod.kind,
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name,
    },
    message: 'Pod has no controller: nothing recreates it when it or its node fails.',
    remediation: 'Run it from a Deployment, StatefulSet or Job.',
  };
}

export const inventoryAnalyzer: Analyzer = {
  id: 'inventory',
  description:
    'Workloads, the pods that belong to them, and who manages each (Helm, Argo CD, Flux, kubectl, none).',
  analyze(input: AnalyzerInput): AnalyzerOutput {
    return buildInventory(input);
  },
};

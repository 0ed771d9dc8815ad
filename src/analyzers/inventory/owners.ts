/**
 * Owner chains: which workload a pod (or ReplicaSet, or Job) belongs to, through
 * ownerReferences. Pod → ReplicaSet → Deployment, Pod → StatefulSet / DaemonSet,
 * Pod → Job → CronJob.
 */
import type { KubeObject, OwnerReference } from '../../cluster/types.js';
import { objectKey } from '../../kube/objects.js';
import type { WorkloadKind } from '../../model/types.js';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Job',
];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  const owners = obj.metadata.ownerReferences ?? [];
  return owners.find((o) => o.controller === true) ?? owners[0];
}

/** Index of objects by `kind/namespace/name`, for walking owner references. */
export class ObjectIndex {
  private readonly byKey = new Map<string, KubeObject>();

  constructor(objects: readonly KubeObject[]) {
    for (const obj of objects) this.byKey.set(objectKey({ ...obj.metadata, kind: obj.kind }), obj);
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKey.get(
      objectKey(namespace === undefined ? { kind, name } : { kind, namespace, name }),
    );
  }

  /**
   * The top-level workload an object belongs to, or undefined for orphans. A Job owned by a
   * CronJob belongs to the CronJob; a ReplicaSet without a Deployment is not a workload we model.
   */
  workloadOf(obj: KubeObject): KubeObject | undefined {
    let current = obj;
    for (let depth = 0; depth < 4; depth++) {
      const owner = controllerOf(current);
      if (owner === undefined) {
        return isWorkloadKind(current.kind) && current !== obj ? current : undefined;
      }
      const parent = this.get(owner.kind, current.metadata.namespace, owner.name);
      if (parent === undefined) {
        return isWorkloadKind(current.kind) && current !== obj ? current : undefined;
      }
      current = parent;
    }
    return isWorkloadKind(current.kind) ? current : undefined;
  }
}

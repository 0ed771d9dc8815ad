/**
 * Which workload a pod's usage belongs to. Pods still in the snapshot are followed through their
 * controller ownerReferences (Pod → ReplicaSet → Deployment, Pod → StatefulSet / DaemonSet,
 * Pod → Job → CronJob). Pods that are gone (only in the history) map by the names controllers
 * give them, and only onto a controller that exists in the snapshot:
 *   Deployment  <deploy>-<pod-template-hash>-<5>   (hash: up to 10 of bcdfghjklmnpqrstvwxz2456789)
 *   StatefulSet <sts>-<ordinal>
 *   DaemonSet   <ds>-<5>
 *   Job         <job>-<5>
 *   CronJob     <cronjob>-<scheduled minute, 8+ digits>-<5>
 */
import type { KubeObject, OwnerReference } from '../cluster/types.js';
import type { WorkloadKind } from '../model/types.js';
import type { ContainerKey, ContainerUsage, UsageHistory } from './types.js';

/** A workload, or a ReplicaSet that no Deployment owns. */
export type OwnerKind = WorkloadKind | 'ReplicaSet';

export interface WorkloadOwner {
  readonly kind: OwnerKind;
  readonly namespace: string;
  readonly name: string;
  readonly via: 'ownerReferences' | 'name-pattern';
}

const CONTROLLER_KINDS: readonly string[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
];
/** Kubernetes' SafeEncodeString alphabet (no vowels, no 0, 1, 3): pod suffixes and template hashes. */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const POD_SUFFIX = new RegExp(`^(.+)-${SAFE}{5}$`);
const TEMPLATE_HASH = new RegExp(`^(.+)-${SAFE}{1,10}$`);
const CRONJOB_JOB = /^(.+)-\d{8,}$/;
const ORDINAL = /^(.+)-(0|[1-9]\d*)$/;

function idOf(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export class OwnerIndex {
  private readonly byId = new Map<string, KubeObject>();
  private readonly byUid = new Map<string, KubeObject>();

  constructor(objects: readonly KubeObject[]) {
    for (const o of objects) {
      if (o.kind !== 'Pod' && !CONTROLLER_KINDS.includes(o.kind)) continue;
      const namespace = o.metadata.namespace ?? '';
      this.byId.set(idOf(o.kind, namespace, o.metadata.name), o);
      if (o.metadata.uid !== undefined) this.byUid.set(o.metadata.uid, o);
    }
  }

  /** The workload of a pod, through the snapshot's pod or, when it is gone, its name. */
  workloadOfPod(namespace: string, pod: string): WorkloadOwner | undefined {
    const live = this.byId.get(idOf('Pod', namespace, pod));
    if (live !== undefined) return this.followOwners(live, namespace);
    return this.byNamePattern(namespace, pod);
  }

  workloadOf(key: ContainerKey): WorkloadOwner | undefined {
    return this.workloadOfPod(key.namespace, key.pod);
  }

  private find(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.byId.get(idOf(kind, namespace, name));
  }

  /** Walks controller references up to the top controller. */
  private followOwners(pod: KubeObject, namespace: string): WorkloadOwner | undefined {
    let reference = controllerOf(pod);
    if (reference === undefined) return undefined; // a bare pod belongs to no workload
    for (let depth = 0; depth < 4; depth++) {
      const owner =
        this.byUid.get(reference.uid) ?? this.find(reference.kind, namespace, reference.name);
      if (owner === undefined) {
        // The owner is gone from the snapshot: a ReplicaSet still names its Deployment.
        return this.ownerByName(reference.kind, namespace, reference.name, 'ownerReferences');
      }
      const next = controllerOf(owner);
      if (next === undefined || !CONTROLLER_KINDS.includes(next.kind)) {
        return asOwner(owner.kind, namespace, owner.metadata.name, 'ownerReferences');
      }
      reference = next;
    }
    return undefined;
  }

  /** An owner known only by kind and name (not in the snapshot). */
  private ownerByName(
    kind: string,
    namespace: string,
    name: string,
    via: WorkloadOwner['via'],
  ): WorkloadOwner | undefined {
    if (kind === 'ReplicaSet') {
      const deployment = TEMPLATE_HASH.exec(name)?.[1];
      if (deployment !== undefined && this.find('Deployment', namespace, deployment)) {
        return asOwner('Deployment', namespace, deployment, 'name-pattern');
      }
    }
    if (kind === 'Job') {
      const cronJob = CRONJOB_JOB.exec(name)?.[1];
      if (cronJob !== undefined && this.find('CronJob', namespace, cronJob)) {
        return asOwner('CronJob', namespace, cronJob, 'name-pattern');
      }
    }
    return CONTROLLER_KINDS.includes(kind) ? asOwner(kind, namespace, name, via) : undefined;
  }

  /** A gone pod: the controllers whose naming could have produced its name, if they exist. */
  private byNamePattern(namespace: string, pod: string): WorkloadOwner | undefined {
    const parent = POD_SUFFIX.exec(pod)?.[1];
    if (parent !== undefined) {
      // <rs>-<5> or <job>-<5>: an existing ReplicaSet or Job is followed to its owner.
      for (const kind of ['ReplicaSet', 'Job'] as const) {
        const owner = this.find(kind, namespace, parent);
        if (owner !== undefined) return this.patternOwnerOf(owner, namespace);
      }
      const deployment = TEMPLATE_HASH.exec(parent)?.[1];
      if (deployment !== undefined && this.find('Deployment', namespace, deployment)) {
        return asOwner('Deployment', namespace, deployment, 'name-pattern');
      }
      const cronJob = CRONJOB_JOB.exec(parent)?.[1];
      if (cronJob !== undefined && this.find('CronJob', namespace, cronJob)) {
        return asOwner('CronJob', namespace, cronJob, 'name-pattern');
      }
      if (this.find('DaemonSet', namespace, parent)) {
        return asOwner('DaemonSet', namespace, parent, 'name-pattern');
      }
    }
    const statefulSet = ORDINAL.exec(pod)?.[1];
    if (statefulSet !== undefined && this.find('StatefulSet', namespace, statefulSet)) {
      return asOwner('StatefulSet', namespace, statefulSet, 'name-pattern');
    }
    return undefined;
  }

  private patternOwnerOf(owner: KubeObject, namespace: string): WorkloadOwner | undefined {
    const next = controllerOf(owner);
    if (next === undefined)
      return asOwner(owner.kind, namespace, owner.metadata.name, 'name-pattern');
    const top = this.byUid.get(next.uid) ?? this.find(next.kind, namespace, next.name);
    const found =
      top === undefined
        ? undefined
        : asOwner(top.kind, namespace, top.metadata.name, 'name-pattern');
    return found ?? this.ownerByName(next.kind, namespace, next.name, 'name-pattern');
  }
}

function controllerOf(o: KubeObject): OwnerReference | undefined {
  const references = o.metadata.ownerReferences ?? [];
  return references.find((r) => r.controller === true) ?? references[0];
}

function asOwner(
  kind: string,
  namespace: string,
  name: string,
  via: WorkloadOwner['via'],
): WorkloadOwner | undefined {
  if (!CONTROLLER_KINDS.includes(kind)) return undefined;
  return { kind: kind as OwnerKind, namespace, name, via };
}

export function ownerId(owner: Pick<WorkloadOwner, 'kind' | 'namespace' | 'name'>): string {
  return idOf(owner.kind, owner.namespace, owner.name);
}

export interface WorkloadUsage {
  readonly owner: WorkloadOwner;
  /** By container name, the usage of that container in every pod of the workload. */
  readonly containers: ReadonlyMap<string, readonly ContainerUsage[]>;
}

/**
 * Groups a history by workload (`ownerId`); containers of pods that map to no workload are
 * returned apart, so callers can say what they ignored.
 */
export function groupUsageByWorkload(
  history: UsageHistory,
  index: OwnerIndex,
): { workloads: Map<string, WorkloadUsage>; unmatched: ContainerKey[] } {
  const workloads = new Map<
    string,
    { owner: WorkloadOwner; containers: Map<string, ContainerUsage[]> }
  >();
  const unmatched: ContainerKey[] = [];
  for (const usage of history.containers) {
    const owner = index.workloadOf(usage.key);
    if (owner === undefined) {
      unmatched.push(usage.key);
      continue;
    }
    const id = ownerId(owner);
    const entry = workloads.get(id) ?? { owner, containers: new Map<string, ContainerUsage[]>() };
    const list = entry.containers.get(usage.key.container) ?? [];
    list.push(usage);
    entry.containers.set(usage.key.container, list);
    workloads.set(id, entry);
  }
  return { workloads, unmatched };
}

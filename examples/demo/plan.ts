/**
 * Names, placement and lifetimes of the ReplicaSets and Pods: decided once, then used both for
 * the objects of the snapshot and for the series of the usage history, so the two agree.
 */
import { KUBE_NAME_ALPHABET, Prng } from './prng.js';
import type { NodeSpec } from './scenario.js';
import { appliedAt, LEAKING, NODES, ROLLED_OUT, TIMES } from './scenario.js';

export interface ReplicaSetPlan {
  readonly deployment: string;
  readonly name: string;
  readonly hash: string;
  readonly revision: number;
  readonly created: number;
  /** Replicas it has now: 0 for a ReplicaSet a rollout replaced. */
  readonly replicas: number;
  /** Set when this ReplicaSet ran an older image than the Deployment has now. */
  readonly imageTag?: string;
}

export interface PodPlan {
  readonly deployment: string;
  readonly replicaSet: ReplicaSetPlan;
  readonly name: string;
  readonly node: NodeSpec;
  readonly ip: string;
  readonly created: number;
  /** When its containers started (image pulled, probes aside). */
  readonly started: number;
  /** When the pod was deleted; undefined for pods alive at snapshot time. */
  readonly deleted?: number;
  readonly containers: readonly string[];
}

export interface DeploymentPlan {
  readonly name: string;
  readonly created: number;
  readonly replicaSets: readonly ReplicaSetPlan[];
  readonly pods: readonly PodPlan[];
}

export function planDeployments(
  deployments: readonly { name: string; containers: readonly string[] }[],
  seed: number,
): DeploymentPlan[] {
  const rng = new Prng(seed);
  const usedIps = new Set<string>();
  const podIp = (node: NodeSpec): string => {
    for (;;) {
      const ip = `${node.podSubnet}.${rng.int(30, 250)}`;
      if (!usedIps.has(ip) && ip !== node.ip) {
        usedIps.add(ip);
        return ip;
      }
    }
  };
  const newPod = (
    d: { name: string; containers: readonly string[] },
    rs: ReplicaSetPlan,
    deleted?: number,
  ): PodPlan => {
    const node = NODES[rng.int(0, NODES.length - 1)];
    const created =
      d.name === LEAKING.deployment ? LEAKING.podRecreated : rs.created + rng.int(0, 1);
    const pod: PodPlan = {
      deployment: d.name,
      replicaSet: rs,
      name: `${rs.name}-${rng.chars(5, KUBE_NAME_ALPHABET)}`,
      node,
      ip: podIp(node),
      created,
      started: created + rng.int(6, 28),
      containers: d.containers,
    };
    return deleted === undefined ? pod : { ...pod, deleted };
  };

  return deployments.map((d) => {
    const created = appliedAt(d.name);
    const rsAt = (
      revision: number,
      at: number,
      replicas: number,
      imageTag?: string,
    ): ReplicaSetPlan => {
      const hash = rng.chars(10, KUBE_NAME_ALPHABET);
      const rs = {
        deployment: d.name,
        name: `${d.name}-${hash}`,
        hash,
        revision,
        created: at,
        replicas,
      };
      return imageTag === undefined ? rs : { ...rs, imageTag };
    };
    if (d.name !== ROLLED_OUT.deployment) {
      const rs = rsAt(1, created, 1);
      return { name: d.name, created, replicaSets: [rs], pods: [newPod(d, rs)] };
    }
    // Revision 1 ran the previous image until the rollout; its pod lives on in the history only.
    const old = rsAt(1, created, 0, ROLLED_OUT.previousImageTag);
    const current = rsAt(2, TIMES.checkoutRollout, 1);
    const oldPod = newPod(d, old, TIMES.checkoutRollout + 21);
    return {
      name: d.name,
      created,
      replicaSets: [old, current],
      pods: [oldPod, newPod(d, current)],
    };
  });
}

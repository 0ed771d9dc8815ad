/**
 * How many nodes a set of pods needs: first-fit decreasing, two dimensions (CPU and memory
 * requests against Node allocatable). DaemonSet pods run on every node, so their requests come
 * off each node's capacity first. New nodes take the cluster's most common shape (ties: the
 * larger), as a node pool or autoscaler would add.
 */

export interface Demand {
  /** Cores. */
  readonly cpu: number;
  /** Bytes. */
  readonly memory: number;
}

export interface NodeShape extends Demand {
  /** Nodes of this shape in the cluster. */
  readonly count: number;
}

export interface PackResult {
  readonly nodes: number;
  /** Pods larger than an empty node of the chosen shape. */
  readonly unplaceable: number;
}

export function chooseShape(shapes: readonly NodeShape[]): Demand | undefined {
  return [...shapes].sort((a, b) => b.count - a.count || b.cpu - a.cpu || b.memory - a.memory)[0];
}

export function firstFitDecreasing(
  pods: readonly Demand[],
  shapes: readonly NodeShape[],
  perNode: Demand = { cpu: 0, memory: 0 },
): PackResult {
  const shape = chooseShape(shapes);
  if (shape === undefined) return { nodes: 0, unplaceable: pods.length };
  const capacity = { cpu: shape.cpu - perNode.cpu, memory: shape.memory - perNode.memory };
  if (capacity.cpu <= 0 || capacity.memory <= 0) return { nodes: 0, unplaceable: pods.length };
  // Largest first by dominant share; ties by the other dimension, then stable.
  const size = (d: Demand): number => Math.max(d.cpu / capacity.cpu, d.memory / capacity.memory);
  const sorted = [...pods].sort(
    (a, b) => size(b) - size(a) || b.cpu - a.cpu || b.memory - a.memory,
  );
  const free: { cpu: number; memory: number }[] = [];
  let unplaceable = 0;
  const EPS = 1e-9;
  for (const pod of sorted) {
    if (pod.cpu > capacity.cpu + EPS || pod.memory > capacity.memory + EPS) {
      unplaceable++;
      continue;
    }
    let node = free.find((n) => pod.cpu <= n.cpu + EPS && pod.memory <= n.memory + EPS);
    if (node === undefined) {
      node = { ...capacity };
      free.push(node);
    }
    node.cpu -= pod.cpu;
    node.memory -= pod.memory;
  }
  return { nodes: free.length, unplaceable };
}

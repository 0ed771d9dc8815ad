/**
 * How many nodes a set of pods needs: first-fit decreasing, two dimensions (CPU and memory
 * requests against Node allocatable), onto the cluster's node shapes.
 *
 * New nodes take the cluster's most common shape (ties: the larger), as a node pool or autoscaler
 * would add. A pod that fits no open node and not an empty node of that shape opens a node of the
 * smallest shape that holds it (shapes ordered by dominant share: the larger of a shape's CPU and
 * memory as a share of the largest shape's); only a pod larger than every shape is unplaceable.
 *
 * DaemonSet pods run on every node, so their requests (`perNode`) come off every node's capacity,
 * whatever its shape. That is a simplification: a DaemonSet limited to some nodes by a node
 * selector or affinity is still charged on all of them.
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
  /** Nodes opened, every shape together. */
  readonly nodes: number;
  /** Pods larger than an empty node of every shape (counted apart, never packed). */
  readonly unplaceable: number;
  /** Nodes opened per shape (allocatable CPU and memory), smallest shape first; only shapes used. */
  readonly byShape: readonly (Demand & { readonly nodes: number })[];
}

export function chooseShape(shapes: readonly NodeShape[]): NodeShape | undefined {
  return [...shapes].sort((a, b) => b.count - a.count || b.cpu - a.cpu || b.memory - a.memory)[0];
}

const EPS = 1e-9;

const fits = (pod: Demand, free: Demand): boolean =>
  pod.cpu <= free.cpu + EPS && pod.memory <= free.memory + EPS;

export function firstFitDecreasing(
  pods: readonly Demand[],
  shapes: readonly NodeShape[],
  perNode: Demand = { cpu: 0, memory: 0 },
): PackResult {
  const common = chooseShape(shapes);
  if (common === undefined) return { nodes: 0, unplaceable: pods.length, byShape: [] };
  // Every shape smallest first by dominant share against the largest shape, then CPU, memory.
  const maxCpu = Math.max(...shapes.map((s) => s.cpu)) || 1;
  const maxMemory = Math.max(...shapes.map((s) => s.memory)) || 1;
  const shapeSize = (s: Demand): number => Math.max(s.cpu / maxCpu, s.memory / maxMemory);
  const bySize = [...shapes].sort(
    (a, b) => shapeSize(a) - shapeSize(b) || a.cpu - b.cpu || a.memory - b.memory,
  );
  const capacityOf = (s: Demand): Demand => ({
    cpu: s.cpu - perNode.cpu,
    memory: s.memory - perNode.memory,
  });
  const usable = (s: Demand): boolean => {
    const c = capacityOf(s);
    return c.cpu > 0 && c.memory > 0;
  };
  // Pods largest first by dominant share of the common shape; ties by CPU, then memory, then stable.
  const unit = { cpu: common.cpu, memory: common.memory };
  const size = (d: Demand): number => Math.max(d.cpu / unit.cpu, d.memory / unit.memory);
  const sorted = [...pods].sort(
    (a, b) => size(b) - size(a) || b.cpu - a.cpu || b.memory - a.memory,
  );

  const open: { shape: NodeShape; free: { cpu: number; memory: number } }[] = [];
  let unplaceable = 0;
  for (const pod of sorted) {
    let node = open.find((n) => fits(pod, n.free));
    if (node === undefined) {
      const shape =
        usable(common) && fits(pod, capacityOf(common))
          ? common
          : bySize.find((s) => usable(s) && fits(pod, capacityOf(s)));
      if (shape === undefined) {
        unplaceable++;
        continue;
      }
      node = { shape, free: { ...capacityOf(shape) } };
      open.push(node);
    }
    node.free.cpu -= pod.cpu;
    node.free.memory -= pod.memory;
  }
  const byShape = bySize.flatMap((shape) => {
    const nodes = open.filter((n) => n.shape === shape).length;
    return nodes > 0 ? [{ cpu: shape.cpu, memory: shape.memory, nodes }] : [];
  });
  return { nodes: open.length, unplaceable, byShape };
}
